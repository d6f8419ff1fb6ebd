"""Tenants over HTTP against a real `mock-kanta serve`: make, list, reset, delete, and isolation.

Each test makes tenants of its own (ids with a random part), so the shared default tenant
and the other tests see nothing of them.
"""
from __future__ import annotations

import secrets
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mock_kanta.client import (
    Client,
    KantaClient,
    TaskGrant,
    artificial_hetu,
    client_relationship_document,
    frame_for,
    new_document_id,
    signed_bytes,
)
from mock_kanta.settings import Settings
from mock_kanta.store import Store
from mock_kanta.tenants import service as tenants
from mock_kanta.tenants.service import load_fixture_matters
from mock_kanta.wiring import Services
from tests.parties import HKI, KEUSOTE, KEUSOTE_UNIT, OFFICER, TUUSULA
from tests.signing import issue_signer

WHEN = datetime(2026, 11, 5, 12, tzinfo=HKI)
TENANTS = "/api/v1/tenants"


def fresh_id(prefix: str = "tnt") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def header(tenant: str) -> dict:
    return {"X-Mock-Kanta-Tenant": tenant}


@pytest.fixture(scope="module")
def store(sandbox) -> Store:
    """The sandbox's database, read from this process."""
    return Store(sandbox.database_url)


def matters(store: Store, tenant: str) -> set[str]:
    return {m["matter_id"] for m in store.matters(tenant)}


FIXTURE_MATTERS = {m["matter_id"] for m in load_fixture_matters(Settings())}


@pytest.fixture(scope="module")
def keusote(sandbox):
    return (issue_signer(sandbox.pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700,
                         start=datetime(2026, 1, 1, tzinfo=timezone.utc)), "system")


def relationship(keusote, *, document_id: str | None = None):
    """Keusote's client-relationship document for a fresh client naming Kielo's Tuusula unit: (frame, signed bytes)."""
    client = Client(artificial_hetu(date(1940, 1, 1) + timedelta(days=secrets.randbelow(20000))), "Testi", "Asiakas")
    doc = client_relationship_document(
        organiser=KEUSOTE, client=client, effective_time=WHEN, relationship_id=new_document_id(KEUSOTE.oid),
        document_id=document_id or new_document_id(KEUSOTE.oid),
        tasks=[TaskGrant("24", KEUSOTE_UNIT, ["45"], date(2026, 11, 1), provider_unit=False),
               TaskGrant("24", TUUSULA, ["45"], date(2026, 11, 1))])
    frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(), author_org=KEUSOTE_UNIT.ref(),
                      creation_time=WHEN)
    return doc, frame, signed_bytes(doc, [keusote], signed_at=WHEN)


def create(http, tenant: str, **body):
    return http.post(TENANTS, json={"id": tenant, **body})


JOB_DEADLINE = 900.0  # seconds a job may take before the test gives up (not a speed assertion)


def finished(http, location: str, seconds: float = JOB_DEADLINE) -> dict:
    """The job at `location` once it is done or failed (polled); AssertionError if it is not over by then."""
    deadline = time.monotonic() + seconds
    while True:
        r = http.get(location)
        assert r.status_code == 200, r.text
        job = r.json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            assert job["state"] in ("done", "failed"), f"job not over: {job}"
            return job
        time.sleep(0.3)


def seed_job(response) -> dict:
    """The seed job of a 202 answer (create or reset), checked against its Location."""
    assert response.status_code == 202, response.text
    job = response.json()["job"]
    assert response.headers["location"] == job["location"] == f"/api/v1/jobs/{job['tenant']}/{job['id']}"
    assert job["kind"] == "seed" and job["state"] in ("queued", "running", "done")
    return job


def documents(http, tenant: str) -> int:
    registers = http.get("/api/v1/registers", headers=header(tenant)).json()["registers"]
    return sum(r["documents"] for r in registers)


def test_a_new_tenant_has_the_fixtures_and_its_own_clock(sandbox, store):
    http, tenant = sandbox.http, fresh_id("scn")
    r = create(http, tenant, name="Skenaario")
    assert r.status_code == 201, r.text
    assert r.json() | {"createdAt": None} == {"id": tenant, "name": "Skenaario", "createdAt": None, "default": False,
                                              "seed": None, "created": True, "job": None}
    again = create(http, tenant, name="Toinen nimi")
    assert again.status_code == 200 and again.json()["created"] is False and again.json()["name"] == "Skenaario"
    assert tenant in [t["id"] for t in http.get(TENANTS).json()]
    assert http.get(f"{TENANTS}/{tenant}").json()["name"] == "Skenaario"
    assert http.get(f"{TENANTS}/").json() == http.get(TENANTS).json()  # connexion's own mount answers the same

    assert (http.get("/api/v1/organisations", headers=header(tenant)).json()
            == http.get("/api/v1/organisations", headers=header("default")).json())
    assert matters(store, tenant) == FIXTURE_MATTERS != set()
    http.put("/api/v1/clock", json={"time": "2026-09-01T08:00:00+03:00", "frozen": True}, headers=header(tenant)).raise_for_status()
    assert http.get("/api/v1/clock", headers=header(tenant)).json()["mode"] == "frozen"
    assert http.get("/api/v1/clock").json()["mode"] == "real"  # the default tenant's clock did not move


@pytest.mark.parametrize("body", [{"id": "Bad_Id"}, {"id": ""}, {"id": "x" * 64}, {"name": "no id"},
                                  {"id": "ok-id", "extra": 1}, {"id": "ok-id", "seed": {"clients": 0}},
                                  {"id": "ok-id", "seed": {"clients": 2, "seed": -1}}, {"id": "ok-id", "name": ""}])
@pytest.mark.parametrize("path", [TENANTS, f"{TENANTS}/"])
def test_bad_bodies_are_refused_and_change_nothing(sandbox, body, path):
    before = sandbox.http.get(TENANTS).json()
    r = sandbox.http.post(path, json=body)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json") and r.json()["detail"]
    assert sandbox.http.get(TENANTS).json() == before


def test_not_json_is_refused(sandbox):
    r = sandbox.http.post(TENANTS, content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "Expecting" in r.json()["detail"]


def test_reset_wipes_everything_of_the_tenant_only(sandbox, keusote):
    http, tenant = sandbox.http, fresh_id()
    create(http, tenant).raise_for_status()
    default_documents = documents(http, "default")
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        kanta.clock_set(WHEN, frozen=True)
        doc, frame, signed = relationship(keusote)
        assert kanta.archive(frame, signed).ack == "AA"
        http.put("/api/v1/rule-modes/SH-REG", json={"mode": "report-only"}, headers=header(tenant)).raise_for_status()
        assert documents(http, tenant) == 1
        assert http.get("/api/v1/audit/events", headers=header(tenant)).json()["total"] == 1

        r = http.post(f"{TENANTS}/{tenant}/reset")

        assert r.status_code == 200, r.text
        assert r.json()["deleted"]["documents"] == 1 and r.json()["deleted"]["register_rights"] == 1
        assert documents(http, tenant) == 0
        assert http.get("/api/v1/clock", headers=header(tenant)).json()["mode"] == "real"
        assert http.get("/api/v1/rule-modes", headers=header(tenant)).json() == {"modes": {}}
        assert http.get("/api/v1/audit/events", headers=header(tenant)).json()["total"] == 0
        assert http.get(f"/api/v1/clients/{doc.client.id.extension}/rights", headers=header(tenant)).json()["rights"] == []
        assert http.get("/api/v1/organisations", headers=header(tenant)).json()["organisations"]  # the fixtures again
        # The same document can be sent again: the register is empty, the chain starts anew.
        kanta.clock_set(WHEN, frozen=True)
        assert kanta.archive(frame, signed).ack == "AA"
        assert http.get("/api/v1/audit/verify", headers=header(tenant)).json()["ok"] is True
    assert documents(http, "default") == default_documents


def test_a_seeded_tenant_is_seeded_again_by_a_reset(sandbox, store):
    http, tenant = sandbox.http, fresh_id("seed")
    r = create(http, tenant, seed={"clients": 4, "seed": 4242})
    assert r.json()["seed"] == {"clients": 4, "seed": 4242}
    job = finished(http, seed_job(r)["location"])  # 202: the seed loads in a background job
    assert any(line.startswith("clients: 4") for line in job["lines"])
    made = matters(store, tenant)
    assert len(made - FIXTURE_MATTERS) == 4  # one per client
    seeded = documents(http, tenant)

    r = http.post(f"{TENANTS}/{tenant}/reset")

    job = finished(http, seed_job(r)["location"])
    assert any(line.startswith("clients: 4") for line in job["lines"])
    assert matters(store, tenant) == made
    assert documents(http, tenant) == seeded  # the same rights, from the same documents


def test_delete(sandbox, keusote):
    http, tenant = sandbox.http, fresh_id()
    create(http, tenant).raise_for_status()
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        kanta.clock_set(WHEN, frozen=True)
        assert kanta.archive(*relationship(keusote)[1:]).ack == "AA"
        assert http.delete(f"{TENANTS}/{tenant}").status_code == 204
        assert http.get(f"{TENANTS}/{tenant}").status_code == 404
        assert http.get("/api/v1/registers", headers=header(tenant)).status_code == 404
        assert kanta.archive(*relationship(keusote)[1:]).rule_ids == ["SH-TRN-004"]
    assert http.delete(f"{TENANTS}/{tenant}").status_code == 404
    assert http.post(f"{TENANTS}/{tenant}/reset").status_code == 404
    r = http.delete(f"{TENANTS}/default")
    assert r.status_code == 409 and "reset it instead" in r.json()["detail"]
    assert http.get(f"{TENANTS}/default").json()["default"] is True


def test_a_tenant_deleted_by_another_process_is_refused_cleanly(sandbox, keusote):
    """The server caches known tenants; a delete made elsewhere (here: this process on the same data
    directory, as `mock-kanta tenant delete` does) is noticed on use: 404 answers, no 500."""
    http, tenant = sandbox.http, fresh_id()
    create(http, tenant).raise_for_status()
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        kanta.clock_set(WHEN, frozen=True)
        _doc, frame, signed = relationship(keusote)
        assert kanta.archive(frame, signed).ack == "AA"  # the server now knows the tenant
        assert kanta.validate(frame, signed).valid  # a validation checks the document, not whether it is stored

        settings = Settings(data_dir=sandbox.data_dir, extra_trust_path=Path(sandbox.env["MOCK_KANTA_EXTRA_TRUST"]),
                            database_url=sandbox.env.get("MOCK_KANTA_DATABASE_URL"))
        tenants.delete(Services.start(settings), tenant)

        r = http.post("/kanta/shark/arkisto", content=b"<not-a-message/>", headers={**header(tenant), "Content-Type": "text/xml"})
        assert r.status_code == 404 and b"SH-TRN-004" in r.content
        assert kanta.archive(frame, signed).rule_ids == ["SH-TRN-004"]
        r = http.post("/shark-validointi/validoi/asiakirja/tulos", content=b"{}", headers=header(tenant))
        assert r.status_code == 404 and r.json()["code"] == "SH-TRN-004"
        r = http.post("/kanta/shark/haku", content=b"<x/>", headers={**header(tenant), "Content-Type": "text/xml"})
        assert r.status_code == 404 and b"SH-TRN-004" in r.content
