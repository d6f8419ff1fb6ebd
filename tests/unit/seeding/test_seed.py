"""`mock-kanta seed`: artificial identities, determinism, guardians, and rights from archived documents.

Real SQLite and SoftHSM in temporary data directories; no server process.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from mock_kanta.core.identity import CENTURY, parse_hetu
from mock_kanta.omakanta import service as omakanta
from mock_kanta.seeding.cli import seed as seed_command
from mock_kanta.seeding.service import KEUSOTE, MUNICIPALITIES, SIGN_FAMILIES, SIGNS, hetu, people, seed
from mock_kanta.settings import Settings
from mock_kanta.wiring import Services

TODAY = date(2026, 11, 23)
HKI = ZoneInfo("Europe/Helsinki")


def test_hetu_helper_covers_every_century_sign():
    for century, signs in SIGNS.items():
        for sign in signs:
            value = hetu(date(century + 10, 5, 17), 942, sign)
            parsed = parse_hetu(value)
            assert parsed.birth_date == date(century + 10, 5, 17) and parsed.individual_number == 942
    assert set("".join(SIGNS.values())) == set(CENTURY)
    assert hetu(date(2010, 5, 17), 942, "B") == "170510B942Y"  # the stack notes' example
    assert hetu(date(1985, 1, 2), 901, "Y") == "020185Y9013"
    with pytest.raises(ValueError):
        hetu(date(2010, 5, 17), 899)
    with pytest.raises(ValueError):
        hetu(date(2010, 5, 17), 942, "Y")


@pytest.fixture(scope="module")
def many():
    return people(400, 11, TODAY)


def test_every_hetu_is_valid_artificial_and_unique(many):
    everyone = many.clients + many.guardians
    values = [p.hetu for p in everyone]
    assert len(values) == len(set(values))
    for value in values:
        parsed = parse_hetu(value)
        assert 900 <= parsed.individual_number <= 999 and parsed.is_test
    families = {SIGN_FAMILIES[p.hetu[6]] for p in many.clients}
    assert families == set(SIGN_FAMILIES.values())
    assert {p.hetu[6] for p in many.clients} == set(CENTURY)  # every single sign too


def test_people_are_deterministic_and_varied(many):
    assert people(400, 11, TODAY) == many
    assert people(400, 12, TODAY).clients != many.clients
    assert {p.language for p in many.clients} == {"fi", "sv"}
    for p in many.clients + many.guardians:
        fi, sv, postcode = MUNICIPALITIES[p.address.municipality_code]
        assert p.address.municipality == (sv if p.language == "sv" else fi) and p.address.postcode == postcode
    assert {p.address.municipality_code for p in many.clients} == set(MUNICIPALITIES)


def test_minors_have_adult_guardians(many):
    guardians = {g.hetu: g for g in many.guardians}
    minors = [p for p in many.clients if _age(p.hetu) < 18]
    assert len(minors) > 40
    for minor in minors:
        assert 1 <= len(minor.guardians) <= 2
        for g in minor.guardians:
            assert _age(g) >= 18 and guardians[g].family == minor.family
    assert all(not p.guardians for p in many.clients if _age(p.hetu) >= 18)


def _age(value: str) -> int:
    born = parse_hetu(value).birth_date
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


# --- into a sandbox -----------------------------------------------------------------------------


def _loaded(services: Services, n: int, s: int) -> dict:
    store, tenant = services.store, "default"
    data = people(n, s, services.clock.now(tenant).astimezone(HKI).date())
    rights = [r for p in data.clients for r in store.rights(tenant, p.hetu)]
    return {
        "matters": sorted((m["matter_id"], m["organiser_oid"], m["client_id"]) for m in store.matters(tenant)
                          if m["source"] == f"seed {s}"),
        "guardians": sorted((g["minor_client_id"], g["guardian_id"]) for g in omakanta.guardianships(store, tenant)),
        "rights": sorted((r["client_id"], r["organiser_oid"], r["unit_oid"], r["source_document_id"]) for r in rights),
        "cards": sorted((c.registration_number, c.given, c.family) for c in _cards(services).list()),
    }


def _cards(services):
    from mock_kanta.signing.cards import CardStore

    return CardStore(services.settings.data_dir, services.pki)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    runs = []
    for name in ("a", "b"):
        data_dir = tmp_path_factory.mktemp(f"seed-{name}")
        Services.start(Settings(data_dir=data_dir))  # seed reads an existing sandbox only
        result = CliRunner().invoke(seed_command, ["--clients", "40", "--seed", "7", "--data-dir", str(data_dir)])
        assert result.exit_code == 0, result.output
        runs.append((Services.start(Settings(data_dir=data_dir)), result.output))
    return runs


def test_same_seed_same_data_in_fresh_directories(seeded):
    (one, out), (two, _) = seeded
    assert "clients: 40" in out and "register usage rights" in out
    a, b = _loaded(one, 40, 7), _loaded(two, 40, 7)
    assert a["matters"] == b["matters"] and len(a["matters"]) == 40
    assert a["guardians"] == b["guardians"] and a["guardians"]
    assert a["rights"] == b["rights"]
    assert a["cards"] == b["cards"] and len(a["cards"]) == 9  # three providers, three cards each


def test_rights_come_from_archived_relationship_documents(seeded):
    services, _ = seeded[0]
    loaded = _loaded(services, 40, 7)
    assert loaded["rights"], "some clients have a register usage right"
    units = {u["oid"]: u for u in services.store.service_units("default")}
    orgs = {o["oid"]: o for o in services.store.organisations("default")}
    for client_id, organiser, unit, document_id in loaded["rights"]:
        assert orgs[units[unit]["organisation_oid"]]["kind"] == "provider"
        doc = services.store.document("default", document_id, summary=True)
        assert doc is not None and doc["client_id"] == client_id and doc["register_oid"] == organiser
    for minor, guardian in loaded["guardians"]:
        assert parse_hetu(minor).individual_number >= 900 and parse_hetu(guardian).individual_number >= 900


def test_second_run_skips_what_exists(seeded):
    services, _ = seeded[0]
    before = _loaded(services, 40, 7)
    result = CliRunner().invoke(seed_command, ["--clients", "40", "--seed", "7", "--data-dir", str(services.settings.data_dir)])
    assert result.exit_code == 0, result.output
    assert "matters: 0; register usage rights: 0" in result.output and "refused" not in result.output
    assert _loaded(services, 40, 7) == before


def test_keusote_gets_no_rights_before_its_register_is_in_kanta(tmp_path):
    services = Services.start(Settings(data_dir=tmp_path))
    services.clock.set("default", datetime(2026, 8, 15, 12, tzinfo=HKI), frozen=True)
    summary = seed(services, 30, 7)
    assert summary.rights_skipped > 0
    keusote_clients = [p.hetu for p in people(30, 7, date(2026, 8, 15)).clients if p.organiser_oid == KEUSOTE]
    assert keusote_clients and not [r for h in keusote_clients for r in services.store.rights("default", h)]
