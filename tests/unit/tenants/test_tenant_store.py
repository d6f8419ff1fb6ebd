"""Tenants in the store and the services: reset, delete, seed parameters, the per-process caches.

Real SQLite in temporary data directories; no server process.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, text

from mock_kanta.audit.service import AuditEvent, AuditLog
from mock_kanta.omakanta import service as omakanta
from mock_kanta.settings import Settings
from mock_kanta.store import Store, UnknownTenant
from mock_kanta.store.tables import metadata, organisations, traffic
from mock_kanta.store.tables import tenants as tenant_rows
from mock_kanta.tenants import service as tenants
from mock_kanta.tenants.service import TenantConflict, check_seed, check_tenant_id
from mock_kanta.wiring import Services

ORG = {"oid": "1.2.246.10.99999999.10.0", "name": "Testiorganisaatio", "kind": "provider", "verified": False}
UNIT = {"oid": "1.2.246.10.99999999.10.1", "organisation_oid": ORG["oid"], "name": "Testiyksikkö", "verified": False}
CLIENT = "010150-9602"  # artificial (individual number 960)


def fill(store: Store, tenant: str) -> None:
    """One row of the tenant in most tables."""
    store.replace_organisations(tenant, [ORG], [UNIT])
    store.add_matter(tenant, {"matter_id": f"1.2.3.{tenant}", "organiser_oid": ORG["oid"], "client_id": CLIENT, "source": "test"})
    store.set_clock(tenant, 0, "2026-11-02T08:00:00+00:00")
    store.set_rule_mode(tenant, "SH-REG", "report-only")
    store.set_verdict_profile(tenant, True, ["1.2.246.10.32213449.10.0"])
    omakanta.add_guardianship(store, tenant, minor_client_id=CLIENT, guardian_id="010180-9617", since=date(2026, 1, 1),
                              source="test")
    AuditLog(store).record(tenant, AuditEvent("read", "ok", at=datetime(2026, 11, 2, tzinfo=timezone.utc), client_id=CLIENT))
    with store.engine.begin() as conn:
        conn.execute(traffic.insert().values(tenant_id=tenant, at="2026-11-02T08:00:00+00:00", recorded_at="x",
                                             channel="validate", verdict="valid", rule_ids="[]", stored=False, truncated=False))


def counts(store: Store, tenant: str) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t.name: len(conn.execute(select(t).where(t.c.tenant_id == tenant)).all())
                for t in metadata.sorted_tables
                if "tenant_id" in t.c and t.name != "tenant_seeds" and store.engine.dialect.has_table(conn, t.name)}


@pytest.fixture
def store(tmp_path) -> Store:
    s = Store(f"sqlite:///{tmp_path}/mock-kanta.sqlite3")
    s.create_schema()
    for tenant in ("t1", "t2"):
        s.ensure_tenant(tenant)
        fill(s, tenant)
    return s


def test_reset_deletes_every_row_of_the_tenant_and_only_of_it(store):
    before = counts(store, "t2")
    assert all(before[t] >= 1 for t in ("organisations", "service_units", "matters", "clocks", "rule_modes", "guardians",
                                        "audit_events", "traffic", "verdict_profiles"))
    store.set_tenant_seed("t1", 5, 9)

    deleted = store.reset_tenant("t1")

    assert deleted["organisations"] == 1 and deleted["audit_events"] == 1 and deleted["traffic"] == 1
    assert not any(counts(store, "t1").values())
    assert counts(store, "t2") == before  # the other tenant is untouched
    assert store.tenant("t1") is not None  # the tenant itself stays, with its seed parameters
    assert store.tenant_seed("t1") == {"clients": 5, "seed": 9}


def test_reset_refreshes_cached_settings_and_restarts_the_audit_chain(store):
    view = store.view("t1")
    assert view.organisation(ORG["oid"]) is not None and view.rule_modes() == {"SH-REG": "report-only"}
    assert view.verdict_profile() == {"strict": True, "organisers": ["1.2.246.10.32213449.10.0"]}
    generation = view.generation

    store.reset_tenant("t1")

    view = store.view("t1")
    assert view.generation == generation + 1
    assert view.organisation(ORG["oid"]) is None and view.rule_modes() == {} and view.clock() is None
    assert view.verdict_profile() is None
    log = AuditLog(store)
    event = log.record("t1", AuditEvent("read", "ok", client_id=CLIENT))
    assert event.prev_hash == ""  # a new chain
    assert log.verify("t1").ok and log.verify().ok


def test_reset_reaches_tables_this_process_does_not_know(store):
    with store.engine.begin() as conn:
        conn.execute(text("CREATE TABLE elsewhere (tenant_id VARCHAR(64), value TEXT)"))
        conn.execute(text("INSERT INTO elsewhere VALUES ('t1', 'a'), ('t2', 'b')"))
    assert store.reset_tenant("t1")["elsewhere"] == 1
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT tenant_id FROM elsewhere")).scalars().all() == ["t2"]


def test_delete_removes_the_tenant_and_a_cached_view_notices(store):
    other = Store(store.url)  # another worker: it cached the tenant's settings before the delete
    assert other.view("t1").organisation(ORG["oid"]) is not None
    store.set_tenant_seed("t1", 5, 9)

    store.delete_tenant("t1")

    assert store.tenant("t1") is None and store.tenant_seed("t1") is None
    assert not any(counts(store, "t1").values())
    with pytest.raises(UnknownTenant, match="t1"):
        other.view("t1")
    with pytest.raises(UnknownTenant):
        store.delete_tenant("t1")
    with pytest.raises(UnknownTenant):
        store.reset_tenant("nobody")


def test_a_tenant_made_again_starts_at_another_generation(store):
    generations = set()
    for _ in range(5):
        store.ensure_tenant("again")
        generations.add(store.tenant("again")["generation"])
        store.delete_tenant("again")
    assert len(generations) == 5  # random start: a stale cached generation never matches the new tenant


def test_ensure_tenant_says_whether_it_made_the_tenant(store):
    assert store.ensure_tenant("t3", "Kolmas") is True
    assert store.ensure_tenant("t3", "Other name") is False
    assert store.tenant("t3")["name"] == "Kolmas"
    rows = {r["id"]: r for r in store.tenants()}
    assert set(rows) == {"t1", "t2", "t3"} and rows["t3"]["seed_clients"] is None
    assert [r["id"] for r in store.tenants(only="t2")] == ["t2"]


@pytest.mark.parametrize("bad", ["", "A", "-x", "x_y", "ä", "a" * 64, None, 7])
def test_tenant_ids_are_checked(bad):
    with pytest.raises(ValueError, match="tenant id"):
        check_tenant_id(bad)


def test_good_tenant_ids_and_seeds():
    assert check_tenant_id("scn-abc123") == "scn-abc123" and check_tenant_id("0" * 63)
    assert check_seed(None) is None
    assert check_seed({}) == {"clients": 20, "seed": 1}
    assert check_seed({"clients": 3, "seed": 0}) == {"clients": 3, "seed": 0}
    for bad in ({"clients": 0}, {"clients": 5001}, {"clients": "3"}, {"seed": -1}, {"seed": 1.5}, {"other": 1}, [3], True):
        with pytest.raises(ValueError, match="seed"):
            check_seed(bad)


@pytest.fixture
def services(tmp_path) -> Services:
    return Services.start(Settings(data_dir=tmp_path / "var"))


def test_services_make_reset_and_delete_tenants(services):
    row, created, job = tenants.create(services, "scn-1", "Skenaario")
    assert (row["name"], created, job) == ("Skenaario", True, None)  # no seed: no seed job
    fixture_orgs = {o["oid"] for o in services.store.organisations("default")}
    assert {o["oid"] for o in services.store.organisations("scn-1")} == fixture_orgs
    assert {m["matter_id"] for m in services.store.matters("scn-1")} == {m["matter_id"] for m in services.store.matters("default")}
    assert tenants.create(services, "scn-1", "Toinen")[1] is False
    assert services.has_tenant("scn-1")

    services.store.add_matter("scn-1", {"matter_id": "1.2.3.4", "organiser_oid": ORG["oid"], "client_id": CLIENT, "source": "t"})
    deleted, job = tenants.reset(services, "scn-1")
    assert deleted["matters"] == len(services.store.matters("default")) + 1 and job is None
    assert {o["oid"] for o in services.store.organisations("scn-1")} == fixture_orgs  # the fixtures again
    assert services.store.matter("scn-1", "1.2.3.4") is None

    tenants.delete(services, "scn-1")
    assert not services.has_tenant("scn-1")  # not served from the cache
    with pytest.raises(TenantConflict, match="default"):
        tenants.delete(services, "default")
    with pytest.raises(UnknownTenant):
        tenants.reset(services, "scn-1")
    with pytest.raises(ValueError):
        tenants.create(services, "Bad Id")
    with pytest.raises(ValueError, match="name"):
        tenants.create(services, "scn-2", "x" * 201)
    assert services.store.tenant("scn-2") is None  # bad input changes nothing
    with services.store.engine.connect() as conn:
        assert conn.execute(select(tenant_rows.c.id)).scalars().all() == ["default"]
        assert conn.execute(select(organisations).where(organisations.c.tenant_id == "scn-1")).first() is None


def test_the_tenant_command(tmp_path):
    from click.testing import CliRunner

    from mock_kanta.tenants.cli import tenant

    run = CliRunner().invoke
    data = ["--data-dir", str(tmp_path / "var")]
    Services.start(Settings(data_dir=tmp_path / "var"))  # the command reads an existing sandbox only
    made = run(tenant, ["create", "kurssi-1", "--name", "Kurssi 1", *data])
    assert made.exit_code == 0 and "kurssi-1: created" in made.output
    assert "exists already" in run(tenant, ["create", "kurssi-1", *data]).output
    listed = run(tenant, ["list", *data]).output.splitlines()
    assert [line.split()[0] for line in listed] == ["default", "kurssi-1"] and "(default)" in listed[0]
    reset = run(tenant, ["reset", "kurssi-1", *data])
    assert reset.exit_code == 0 and "organisations" in reset.output
    bad = run(tenant, ["create", "Kurssi_1", *data])
    assert bad.exit_code != 0 and "tenant id" in bad.output
    refused = run(tenant, ["delete", "default", "--yes", *data])
    assert refused.exit_code != 0 and "cannot be deleted" in refused.output
    assert run(tenant, ["delete", "kurssi-1", *data], input="n\n").exit_code != 0  # asked, and declined
    assert run(tenant, ["delete", "kurssi-1", "--yes", *data]).exit_code == 0
    gone = run(tenant, ["reset", "kurssi-1", *data])
    assert gone.exit_code != 0 and "no sandbox tenant 'kurssi-1'" in gone.output
    assert [line.split()[0] for line in run(tenant, ["list", *data]).output.splitlines()] == ["default"]


def test_the_cli_seeds_a_tenant_as_a_job_in_its_own_process(tmp_path):
    from click.testing import CliRunner

    from mock_kanta.jobs import service as jobs
    from mock_kanta.tenants.cli import tenant

    data = ["--data-dir", str(tmp_path / "var")]
    Services.start(Settings(data_dir=tmp_path / "var"))  # the command reads an existing sandbox only
    made = CliRunner().invoke(tenant, ["create", "kurssi-2", "--clients", "2", "--seed", "5", *data])
    assert made.exit_code == 0, made.output
    assert "kurssi-2: created" in made.output and "clients: 2" in made.output
    store = Store(Settings(data_dir=tmp_path / "var").db_url)
    (job,) = jobs.recent(store, "kurssi-2")
    assert (job["state"], job["done"], job["total"], job["error"]) == ("done", 2, 2, None)
    reset = CliRunner().invoke(tenant, ["reset", "kurssi-2", *data])
    assert reset.exit_code == 0 and "clients: 2" in reset.output
    assert [j["id"] for j in jobs.recent(store, "kurssi-2")] != [job["id"]]  # the reset's own job; the first is gone
