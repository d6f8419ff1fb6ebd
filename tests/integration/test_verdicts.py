"""Verdicts by basis (docs/verdicts.md) through a real server, in a tenant of this module's own: only findings of
basis kanta refuse by default; an organiser's finding refuses in that organiser's register when the tenant turns
its profile on (PUT /api/v1/verdict-profile); a modelled one warns and says so; strict refuses every finding;
report-only still softens. And the verdicts issue 12 names as wrong, each with its source.

Kielo serves Keusote's client in its Tuusula unit from 1.11.2026 (tests.integration.test_registers's world,
here in this module's tenant)."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from types import SimpleNamespace

import httpx
import pytest
from click.testing import CliRunner

from mock_kanta.archive.cli import validate
from mock_kanta.client import Client, KantaClient, new_document_id
from tests.conftest import SAMPLE_TIME, SAMPLES, sample
from tests.helpers import fresh_hetu
from tests.integration.test_registers import _without, at, grant, open_matter, provider_document, send, served
from tests.integration.test_tenants import create, fresh_id, header
from tests.parties import HELSINKI, HELSINKI_UNIT, KEUSOTE, NURSE, TUUSULA
from tests.rulecases import MODELLED_NOTE
from tests.signing import issue_signer

__all__ = ["served"]  # the fixture, over this module's world

PROFILE, MODES = "/api/v1/verdict-profile", "/api/v1/rule-modes"
KEUSOTE_NOTE = "[Kanta is not known to refuse this; Keusote's guide demands it.]"
NOTES = {"fi": "Kannan ei tiedetä hylkäävän tätä", "sv": "Det är inte känt att Kanta avvisar detta",
         "en": "Kanta is not known to refuse this"}
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def world(sandbox):
    tenant = fresh_id("verdicts")
    assert create(sandbox.http, tenant).status_code == 201

    def signer(kind: str, *fields: str):
        return issue_signer(sandbox.pki, kind, fields, days=700, start=START), kind

    with KantaClient(sandbox.url, tenant=tenant) as kanta, httpx.Client(base_url=sandbox.url, headers=header(tenant)) as http:
        yield SimpleNamespace(kanta=kanta, http=http, tenant=tenant, keusote=signer("system", KEUSOTE.name, KEUSOTE.oid),
                              nurse=signer("professional", NURSE.given, NURSE.family, NURSE.registration_number))
    sandbox.http.delete(f"/api/v1/tenants/{tenant}")


@pytest.fixture(autouse=True)
def default_verdicts(world):
    """Each test ends with the tenant's default verdicts: no profile, no report-only mode."""
    yield
    world.http.delete(PROFILE).raise_for_status()
    world.http.delete(f"{MODES}/SH-CTX").raise_for_status()


@pytest.fixture
def keusote_on(world):
    """Keusote's organiser profile turned on in this module's tenant."""
    assert put_profile(world, organisers=[KEUSOTE.oid]) == {"strict": False, "organisers": [KEUSOTE.oid]}


def put_profile(world, **body) -> dict:
    r = world.http.put(PROFILE, json=body)
    assert r.status_code == 200, r.text
    return r.json()


def finding(answer, rule: str):
    found = [d for d in answer.details if d.rule == rule]
    assert len(found) == 1, answer.details
    return found[0]


def without_matter(doc):
    return dataclasses.replace(doc, matter=dataclasses.replace(doc.matter, id=None))


def helsinki_document(client, when):
    """Helsinki's own client plan (its register, usage situation 1), without a matter."""
    return without_matter(provider_document(client, when=when, matter=None, unit=HELSINKI_UNIT, custodian=HELSINKI))


def send_own(world, doc):
    return send(world, doc, usage="1", sender=HELSINKI, unit=HELSINKI_UNIT)


# --- the tenant's verdict profile through the control API -------------------------------------------


def test_the_verdict_profile_is_set_read_and_cleared_through_the_control_api(sandbox, world):
    http = world.http
    assert http.get(PROFILE).json() == {"strict": False, "organisers": []}
    assert put_profile(world, strict=True, organisers=[KEUSOTE.oid, KEUSOTE.oid]) == {"strict": True, "organisers": [KEUSOTE.oid]}
    assert http.get(PROFILE).json() == {"strict": True, "organisers": [KEUSOTE.oid]}
    assert sandbox.http.get(PROFILE).json() == {"strict": False, "organisers": []}  # the default tenant is untouched

    unknown = http.put(PROFILE, json={"organisers": [HELSINKI.oid]})  # an organiser without a profile
    assert unknown.status_code == 400 and "no organiser profile for 1.2.246.10.2012566.10.40" in unknown.text
    for bad in ({"strict": "yes"}, {"organisers": ["not an oid"]}, {"organisers": "1.2.3"}, {"strict": True, "x": 1}):
        assert http.put(PROFILE, json=bad).status_code == 400, bad
    assert http.get(PROFILE).json() == {"strict": True, "organisers": [KEUSOTE.oid]}  # nothing changed
    for method in ("get", "put", "delete"):
        gone = sandbox.http.request(method, PROFILE, headers=header("no-such-tenant"), json={} if method == "put" else None)
        assert gone.status_code == 404, (method, gone.text)

    assert http.delete(PROFILE).json() == {"strict": False, "organisers": []}
    put_profile(world, strict=True)
    assert http.post(f"/api/v1/tenants/{world.tenant}/reset").status_code == 200
    assert http.get(PROFILE).json() == {"strict": False, "organisers": []}  # a reset clears it

    profiles = sandbox.http.get("/api/v1/organiser-profiles").json()["profiles"]
    keusote = next(p for p in profiles if p["organiser"] == KEUSOTE.oid)
    passage = next(r["source"] for r in keusote["rules"] if r["rule"] == "SH-CTX-001")
    assert keusote["name"] == "Keusote" and "minkä asian hoitamisen yhteydessä" in passage
    rules = {r: sandbox.http.get(f"/api/v1/rules/{r}").json() for r in ("SH-HDR-001", "SH-CTX-001", "SH-CTX-005")}
    assert [(r["basis"], r["kantaVerified"]) for r in rules.values()] == [("kanta", True), ("organiser", False),
                                                                          ("modelled", False)]


# --- the layers ---------------------------------------------------------------------------------------


def test_an_organiser_rule_refuses_only_in_its_organisers_register_with_its_profile_on(world, served):
    """Keusote's recording guide (keusote-kirjaamisopas.txt, "Asia"): every client document states its matter
    (SH-CTX-001, basis organiser). Kanta is not known to refuse a document without one."""
    client, _ = served
    when = at("2026-11-02")
    off = send(world, doc := without_matter(provider_document(client, when=when, matter=None)))
    d = finding(off, "SH-CTX-001")
    assert (off.ack, d.type_code) == ("AA", "W") and KEUSOTE_NOTE in d.text and "[basis] organiser" in d.text
    assert all(note in d.text for note in NOTES.values())
    assert world.http.get(f"/api/v1/registers/{KEUSOTE.oid}/documents/{doc.document_id}").status_code == 200

    put_profile(world, organisers=[KEUSOTE.oid])
    on = send(world, without_matter(provider_document(client, when=when, matter=None)))
    d = finding(on, "SH-CTX-001")
    assert (on.ack, d.type_code) == ("AE", "E") and KEUSOTE_NOTE not in d.text and "[basis] organiser" in d.text

    elsewhere = send_own(world, helsinki_document(client, when))  # Helsinki's register: Keusote's guide does not bind it
    d = finding(elsewhere, "SH-CTX-001")
    assert (elsewhere.ack, d.type_code) == ("AA", "W") and KEUSOTE_NOTE in d.text

    world.http.put(f"{MODES}/SH-CTX", json={"mode": "report-only"}).raise_for_status()
    softened = send(world, without_matter(provider_document(client, when=when, matter=None)))
    d = finding(softened, "SH-CTX-001")
    assert (softened.ack, d.type_code) == ("AA", "W") and "[would refuse]" in d.text  # report-only applies last


# A provider's document into Keusote's register without one of the context data Keusote's recording guide demands
# ("Asiakasasiakirjojen kontekstitiedot", "Sosiaalihuollon palveluprosessi"): rule -> the document spoilt.
CONTEXT = {
    "SH-HDR-009": lambda doc: dataclasses.replace(doc, matter=dataclasses.replace(doc.matter, service_unit=None)),
    "SH-LSH-009": lambda doc: _without(doc, function_code=None),
    "SH-LSH-010": lambda doc: _without(doc, service_process=None),
    "SH-CTX-001": without_matter,
    "SH-CTX-002": lambda doc: doc,  # built without social services
}


@pytest.mark.parametrize("rule", sorted(CONTEXT))
def test_keusotes_context_data_refuse_in_its_register_with_its_profile_on(world, served, keusote_on, rule):
    """keusote-kirjaamisopas.txt: "Jokaisesta sosiaalihuollon asiakasasiakirjasta tulee käydä ilmi pakolliset
    kontekstitiedot: Asia, Palvelutehtävä, Sosiaalipalvelu, Palveluprosessi, Palveluyksikkö" (fixtures/
    organiser-profiles.yaml names each rule with this passage)."""
    client, matter = served
    services = () if rule == "SH-CTX-002" else (("45", "Sosiaaliohjaus"),)
    doc = CONTEXT[rule](provider_document(client, when=at("2026-11-02"), matter=matter, social_services=services))
    answer = send(world, doc)
    d = finding(answer, rule)
    assert (answer.ack, d.type_code) == ("AE", "E") and "[basis] organiser" in d.text, answer.details


def test_strict_refuses_every_finding(world, served):
    """A tenant setting for an organiser that audits more than Kanta does (issue 12)."""
    client, _ = served
    when = at("2026-11-02")
    put_profile(world, strict=True)
    modelled = send_own(world, helsinki_document(client, when))
    assert (modelled.ack, finding(modelled, "SH-CTX-001").type_code) == ("AE", "E")
    unlisted = provider_document(client, when=when, matter=None, unit=HELSINKI_UNIT, custodian=HELSINKI,
                                 social_services=[("9999", "Tuntematon palvelu")])
    warned = send_own(world, unlisted)  # SH-CTX-003 is a warning in the catalogue
    d = finding(warned, "SH-CTX-003")
    assert (warned.ack, d.type_code) == ("AE", "E") and "[Strict profile: every finding refuses.]" in d.text
    clean = send_own(world, provider_document(client, when=when, matter=None, unit=HELSINKI_UNIT, custodian=HELSINKI))
    assert (clean.ack, clean.details) == ("AA", ())


# --- the verdicts issue 12 names --------------------------------------------------------------------


def test_an_omakanta_restriction_with_its_coded_reason_alone_is_accepted(world, served, keusote_on):
    """The client-plan sample (asiakassuunnitelma-document.xml) comments hl7fi:authorizationRestrictionArgument as a
    text "jossa voidaan tarkentaa luokituksesta valittua luokkaa": it may refine the coded class
    (1.2.246.537.6.1288.201901). A coded reason alone is a justified restriction: SH-VIS-001 only says so (info),
    even in Keusote's register with its profile on."""
    client, matter = served
    doc = provider_document(client, when=at("2026-11-02"), matter=matter, restriction={"code": "1"})
    answer = send(world, doc)
    assert answer.ack == "AA" and [(d.rule, d.type_code) for d in answer.details] == [("SH-VIS-001", "I")]
    shown = world.http.get(f"/api/v1/registers/{KEUSOTE.oid}/documents/{doc.document_id}").json()
    assert shown["visibility"] == "restricted"


def test_a_matter_the_sandbox_has_not_seen_is_a_modelled_warning(world, served, keusote_on):
    """Keusote's recording guide (keusote-kirjaamisopas.txt, "Asia"): the organiser gives the provider the matter
    id and how is agreed between them ("Tästä tiedotetaan myöhemmin"), outside Kanta: Kanta cannot refuse a matter
    id it has not seen. SH-CTX-005 is a warning of basis modelled, also with Keusote's profile on."""
    client, _ = served
    answer = send(world, provider_document(client, when=at("2026-11-02"), matter=new_document_id(KEUSOTE.oid)))
    d = finding(answer, "SH-CTX-005")
    assert (answer.ack, d.type_code) == ("AA", "W") and "[basis] modelled" in d.text
    assert "The sandbox has not seen organiser" in d.text


def test_a_providers_document_in_phase_3_is_not_refused_on_a_modelled_phase_code(world, served, keusote_on):
    """Keusote's recording guide (keusote-kirjaamisopas.txt, "Sosiaalihuollon palveluprosessi"): providers carry out
    the phase 'palvelun toteutus', whose code is not public (1.2.246.537.6.1277.201701: only 3 'Asiakkuuden
    suunnittelu' is seen [S]; the sandbox's 4 is modelled, verified: false). Only a phase known to be another may
    refuse: phase 3 gets a modelled warning, also with Keusote's profile on."""
    client, matter = served
    phase_3 = provider_document(client, when=at("2026-11-02"), matter=matter, service_process=("3", "Asiakkuuden suunnittelu"))
    answer = send(world, phase_3)
    d = finding(answer, "SH-CTX-004")
    assert (answer.ack, d.type_code) == ("AA", "W") and MODELLED_NOTE in d.text and "[basis] modelled" in d.text
    assert "phase 3; providers work in phase 4 (Palvelun toteutus)" in d.text


def test_a_minors_prohibition_on_a_modelled_code_is_not_refused(world, served, keusote_on):
    """Keusote's recording guide ("Alaikäisen asiakkaan kiello-oikeuden kirjaaminen"): "Kiello ja perustelut
    kirjattava aina" (SH-MIN-002, basis organiser). Which code of 1.2.246.537.6.1286.201901 means a prohibition is
    not public (only 1 is seen [S]; the sandbox's 2 is modelled): a finding on it is modelled, not refused."""
    minor = Client(fresh_hetu(date(2014, 5, 6)), "Nuori", "Keusotelainen")
    assert grant(world, minor, TUUSULA, date(2026, 11, 1), when=at("2026-11-02"))[1].ack == "AA"
    doc = provider_document(minor, when=at("2026-11-02"), matter=open_matter(world, minor), consent=("2", "Alaikäinen kieltää"))
    answer = send(world, doc)
    d = finding(answer, "SH-MIN-002")
    assert (answer.ack, d.type_code) == ("AA", "W") and MODELLED_NOTE in d.text


# --- the public samples --------------------------------------------------------------------------


def test_the_public_samples_are_accepted_at_their_own_dates_with_every_profile_on(sandbox, world):
    """Both samples (../shared/reference/kanta-samples/, their DVV TEST certificates trusted through
    MOCK_KANTA_EXTRA_TRUST) are accepted at the time they were sent, whatever organiser profiles are on."""
    profiles = [p["organiser"] for p in sandbox.http.get("/api/v1/organiser-profiles").json()["profiles"]]
    put_profile(world, organisers=profiles)
    world.kanta.clock_set(datetime.fromisoformat(SAMPLE_TIME), frozen=True)
    try:
        for name in ("asiakkuusasiakirja", "asiakassuunnitelma"):
            answer = world.kanta.archive(sample(name, "frame"), sample(name, "document"))
            assert (answer.ack, list(answer.errors)) == ("AA", []), (name, answer.details)
    finally:
        world.kanta.clock_reset()
    assert SAMPLES.is_dir()


# --- mock-kanta validate ---------------------------------------------------------------------------


def test_mock_kanta_validate_judges_as_a_tenant_with_the_profile_it_is_given(tmp_path, monkeypatch, sample_trust):
    """The command line's offline check (archive/cli.py) names each finding's basis and takes a verdict profile."""
    monkeypatch.delenv("MOCK_KANTA_DATA_DIR", raising=False)  # offline: a throw-away CA, no sandbox made
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOCK_KANTA_EXTRA_TRUST", str(sample_trust))
    frame, document = tmp_path / "frame.xml", tmp_path / "document.xml"
    frame.write_bytes(sample("asiakassuunnitelma", "frame"))
    document.write_bytes(sample("asiakassuunnitelma", "document").replace(b'extension="180418A903L"',
                                                                           b'extension="180418A903X"'))  # SH-ID-001
    run = CliRunner().invoke
    default = run(validate, [str(frame), str(document)])
    assert default.exit_code == 0, default.output  # only modelled faults: warnings
    assert "SH-ID-001 warning basis modelled" in default.output and "modelled by the sandbox" in default.output
    strict = run(validate, [str(frame), str(document), "--strict", "--json"])
    assert strict.exit_code == 1 and '"basis": "modelled"' in strict.output and "Strict profile" in strict.output
    unknown = run(validate, [str(frame), str(document), "--organiser", HELSINKI.oid])
    assert unknown.exit_code == 2 and f"no organiser profile for {HELSINKI.oid}" in unknown.output
    assert not (tmp_path / "var").exists()  # validate made no sandbox
