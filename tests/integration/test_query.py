"""Reading the archive: queries and retrieves against a real sandbox, by the sandbox clock.

Keusote (organiser) keeps a register from 1.9.2026 that providers may use from 1.11.2026;
Hoivakoti Kielo Oy serves Keusote's clients in its Tuusula unit (.10.2) under the register
usage right Keusote records on the client-relationship document. Every test uses fresh clients.

The read endpoints are reached over HTTP on the sandbox process.
"""
from __future__ import annotations

import dataclasses
import secrets
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from mock_kanta.client import (
    Client,
    KantaClient,
    Org,
    Professional,
    TaskGrant,
    Unit,
    client_document,
    client_relationship_document,
    frame_for,
    new_document_id,
    replaces_of,
    signed_bytes,
)
from mock_kanta.client.query import QueryClient, Reader, query_request, request_bytes
from mock_kanta.core.model import Coded
from mock_kanta.read import endpoint as query_routes
from mock_kanta.settings import Settings
from mock_kanta.signing.pki import card_subject
from mock_kanta.signing.xmldsig import verify_document
from mock_kanta.wire import safexml
from mock_kanta.wiring import Services
from tests.helpers import fresh_hetu
from tests.parties import HELSINKI, HKI, HYVINKAA, KEUSOTE, KEUSOTE_UNIT, KIELO, NOBODY, NURSE, OFFICER, TUUSULA
from tests.signing import issue_signer

# Their roles are in fixtures/roles.yaml.
OLLI = Professional("25100000911", "Olli", "Ohjaaja", title="lähihoitaja")  # Kielo, lahihoitaja, older people's services
TIINA = Professional("25100000912", "Tiina", "Toimisto")  # Keusote, toimistotyontekija
ARJA = Professional("25100000913", "Arja", "Arkisto")  # Keusote, arkistonhoitaja
PHASE = ("4", "Palvelun toteutus")
VOID = Coded("5", "1.2.246.537.5.40154.2008", display_name="Mitätöity")
CARD_START = datetime(2026, 1, 1, tzinfo=timezone.utc)  # valid through the rehearsed autumn of 2026


def at(day: str, hour: int = 12) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), HKI).replace(hour=hour)


@dataclasses.dataclass
class Env:
    kanta: KantaClient
    reads: QueryClient
    http: object
    cards: dict
    keusote: tuple

    def reader(self, who: Professional, org: Org, unit: Unit | Org, *, card: Professional | None = None) -> Reader:
        return Reader(who, org, unit, self.cards[(card or who).registration_number].certificate)


def _local_services(sandbox) -> Services:
    """The sandbox's parts in this process, on its data directory (same database, PKI and clock)."""
    settings = Settings(data_dir=sandbox.data_dir, extra_trust_path=Path(sandbox.env["MOCK_KANTA_EXTRA_TRUST"]),
                        max_body_bytes=int(sandbox.env["MOCK_KANTA_MAX_BODY_BYTES"]),
                        database_url=sandbox.env.get("MOCK_KANTA_DATABASE_URL"))
    return Services.start(settings)


@pytest.fixture(scope="module")
def env(sandbox):
    pki = sandbox.pki
    cards = {p.registration_number: issue_signer(pki, "professional", (p.given, p.family, p.registration_number), days=700,
                                                 start=CARD_START)
             for p in (OFFICER, NURSE, OLLI, TIINA, ARJA, NOBODY)}
    keusote = (issue_signer(pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700, start=CARD_START), "system")
    with KantaClient(sandbox.url) as kanta:
        yield Env(kanta, QueryClient.of(kanta), sandbox.http, cards, keusote)
        kanta.clock_reset()


@pytest.fixture
def clock(env):
    """Set the sandbox clock (frozen) with clock("2026-11-05"); real time again afterwards."""
    yield lambda day: env.kanta.clock_set(at(day), frozen=True)
    env.kanta.clock_reset()


# --- building the world ------------------------------------------------------------------------


def adult() -> Client:
    """A fresh client: a random birth date and individual number (other tests use fixed dates)."""
    born = date(1940, 1, 1) + timedelta(days=secrets.randbelow(60 * 365))
    return Client(fresh_hetu(born), "Lukija", "Asiakas")


def grant(env, client, unit, start, end=None, *, when, previous=None, task="24"):
    """Keusote's client-relationship document naming `unit` from `start` (AA expected)."""
    doc = client_relationship_document(
        organiser=KEUSOTE, client=client, effective_time=when,
        relationship_id=previous.local.client_relationship if previous else new_document_id(KEUSOTE.oid),
        tasks=[TaskGrant("24", KEUSOTE_UNIT, ["45"], start, provider_unit=False), TaskGrant(task, unit, ["45"], start, end)],
        replaces=replaces_of(previous) if previous else None,
    )
    frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(), author_org=KEUSOTE_UNIT.ref())
    answer = env.kanta.archive(frame, signed_bytes(doc, [env.keusote]))
    assert answer.ack == "AA", answer.details
    return doc


def archive(env, doc, *, sender: Org, unit: Unit, author: Professional, usage: str) -> bytes:
    """Archive a document signed by its author's card; the signed bytes (AA expected)."""
    signed = signed_bytes(doc, [(env.cards[author.registration_number], "professional")])
    frame = frame_for(doc, sender_oid=sender.oid, author_person=author.frame_person(), author_org=unit.ref(), usage_situation=usage)
    answer = env.kanta.archive(frame, signed)
    assert answer.ack == "AA", answer.details
    return signed


def keusote_plan(env, client, when, **kwargs):
    """Keusote's own client plan in its register (opens the matter it names)."""
    doc = client_document(custodian=KEUSOTE, unit=KEUSOTE_UNIT, author=OFFICER, client=client, effective_time=when, **kwargs)
    return doc, archive(env, doc, sender=KEUSOTE, unit=KEUSOTE_UNIT, author=OFFICER, usage="1")


def kielo_note(env, client, when, matter):
    """Kielo's document in Keusote's register under the right (usage situation 2)."""
    doc = client_document(custodian=KEUSOTE, organiser=KEUSOTE, unit=TUUSULA, author=NURSE, client=client, effective_time=when,
                          matter_id=matter, service_process=PHASE)
    return doc, archive(env, doc, sender=KIELO, unit=TUUSULA, author=NURSE, usage="2")


@pytest.fixture
def served(env, clock):
    """A client Kielo's Tuusula unit serves for Keusote from 1.11.2026, on 5.11.2026: the relationship,
    Keusote's plan and Kielo's note, all in Keusote's register."""
    clock("2026-11-05")
    client = adult()
    relationship = grant(env, client, TUUSULA, date(2026, 11, 1), when=at("2026-11-02"))
    plan, plan_bytes = keusote_plan(env, client, at("2026-11-03"))
    note, _ = kielo_note(env, client, at("2026-11-04"), plan.matter.id.root)
    return type("Served", (), {"client": client, "relationship": relationship, "plan": plan, "plan_bytes": plan_bytes,
                               "note": note})


def refused(answer, rule: str) -> None:
    assert (answer.ack, answer.documents) == ("AE", []), answer.details
    assert rule in [d.rule for d in answer.errors], answer.details


# --- the register usage right ------------------------------------------------------------------------


def test_provider_reads_the_organisers_documents_under_a_right(env, served):
    nurse = env.reader(NURSE, KIELO, TUUSULA)
    answer = env.reads.query(nurse, client=served.client.hetu, usage="2", register=KEUSOTE.oid)
    assert (answer.ack, answer.errors, answer.query_response_code) == ("AA", [], "OK")
    assert answer.document_ids == [served.relationship.document_id, served.plan.document_id, served.note.document_id]
    plan = answer.documents[1]
    assert (plan.register_oid, plan.status, plan.status_code, plan.version, plan.service_task, plan.document_group) == (
        KEUSOTE.oid, "active", "completed", 1, "24", "5")
    assert plan.matter == served.plan.matter.id.root and plan.document_bytes is None  # a query gives metadata only
    # without naming the register: every organiser's register where the unit has a right
    assert env.reads.query(nurse, client=served.client.hetu, usage="2").document_ids == answer.document_ids
    # the same over SOAP 1.1
    assert env.reads.query(nurse, client=served.client.hetu, usage="2", transport="soap").document_ids == answer.document_ids

    one = env.reads.retrieve(nurse, served.plan.document_id, usage="2")
    assert (one.ack, one.errors, one.document_ids) == ("AA", [], [served.plan.document_id])
    stored = env.http.get(f"/api/v1/registers/{KEUSOTE.oid}/documents/{served.plan.document_id}/document.xml").content
    assert one.documents[0].document_bytes == served.plan_bytes == stored
    signatures = verify_document(safexml.parse(one.documents[0].document_bytes))
    assert signatures and all(s.crypto_ok for s in signatures)
    assert b"RCMR_IN200002FI01" in one.documents[0].frame_bytes


def test_provider_refused_without_a_right(env, served):
    nurse = env.reader(NURSE, KIELO, TUUSULA)
    stranger = adult()  # Keusote's client, but Keusote has named no unit of Kielo
    plan, _ = keusote_plan(env, stranger, at("2026-11-03"))
    refused(env.reads.query(nurse, client=stranger.hetu, usage="2", register=KEUSOTE.oid), "SH-ACC-009")
    refused(env.reads.retrieve(nurse, plan.document_id, usage="2"), "SH-ACC-009")
    # a provider is not in the organiser's register by its own-register usage situation either
    refused(env.reads.query(nurse, client=served.client.hetu, usage="1", register=KEUSOTE.oid), "SH-ACC-006")


def test_provider_refused_for_another_unit(env, served):
    elsewhere = env.reader(NURSE, KIELO, HYVINKAA)
    answer = env.reads.query(elsewhere, client=served.client.hetu, usage="2", register=KEUSOTE.oid)
    refused(answer, "SH-ACC-012")
    assert TUUSULA.oid in answer.errors[0].text
    refused(env.reads.retrieve(elsewhere, served.plan.document_id, usage="2"), "SH-ACC-012")


def test_provider_refused_after_the_right_ended_and_before_it_began(env, clock):
    clock("2026-11-05")
    client, later = adult(), adult()
    grant(env, client, TUUSULA, date(2026, 11, 1), date(2026, 11, 30), when=at("2026-11-02"))
    grant(env, later, TUUSULA, date(2026, 11, 20), when=at("2026-11-02"))
    plan, _ = keusote_plan(env, client, at("2026-11-03"))
    nurse = env.reader(NURSE, KIELO, TUUSULA)
    assert env.reads.retrieve(nurse, plan.document_id, usage="2").ack == "AA"
    refused(env.reads.query(nurse, client=later.hetu, usage="2", register=KEUSOTE.oid), "SH-ACC-011")

    clock("2026-12-05")  # the relationship in Tuusula ended on 30.11.
    answer = env.reads.query(nurse, client=client.hetu, usage="2", register=KEUSOTE.oid)
    refused(answer, "SH-ACC-010")
    assert "2026-11-30" in answer.errors[0].text
    refused(env.reads.retrieve(nurse, plan.document_id, usage="2"), "SH-ACC-010")


def test_provider_refused_before_the_organiser_takes_providers(env, clock):
    clock("2026-09-20")  # Keusote's register is in Kanta, but providers only from 1.11.2026
    client = adult()
    grant(env, client, TUUSULA, date(2026, 9, 15), when=at("2026-09-20"))
    answer = env.reads.query(env.reader(NURSE, KIELO, TUUSULA), client=client.hetu, usage="2")
    refused(answer, "SH-ACC-018")
    assert "2026-11-01" in answer.errors[0].text


# --- the organisation's own register -------------------------------------------------------------


def test_organisation_reads_its_own_register(env, served):
    officer = env.reader(OFFICER, KEUSOTE, KEUSOTE_UNIT)
    answer = env.reads.query(officer, client=served.client.hetu)
    assert (answer.ack, answer.errors) == ("AA", [])
    assert answer.document_ids == [served.relationship.document_id, served.plan.document_id, served.note.document_id]
    assert [d.archived_by for d in answer.documents] == [KEUSOTE.oid, KEUSOTE.oid, KIELO.oid]
    # filters: service task, group, type, matter, time range
    assert env.reads.query(officer, client=served.client.hetu, document_groups=["1"]).document_ids == [served.relationship.document_id]
    assert env.reads.query(officer, client=served.client.hetu, since=date(2026, 11, 4)).document_ids == [served.note.document_id]
    assert env.reads.query(officer, client=served.client.hetu, until=date(2026, 11, 3)).document_ids == [
        served.relationship.document_id, served.plan.document_id]
    assert env.reads.query(officer, client=served.client.hetu, matter=served.plan.matter.id.root,
                           document_types=["15"]).document_ids == [served.plan.document_id, served.note.document_id]
    assert env.reads.query(officer, client=served.client.hetu, service_tasks=["X-IKA"]).query_response_code == "NF"
    limited = env.reads.query(officer, client=served.client.hetu, limit=1)
    assert (limited.document_ids, limited.total, limited.response.query_ack.remaining) == ([served.relationship.document_id], 3, "2")
    one = env.reads.retrieve(officer, served.plan.document_id)
    assert one.documents[0].document_bytes == served.plan_bytes


def test_organisation_refused_outside_its_register_and_without_a_relationship(env, served):
    officer = env.reader(OFFICER, KEUSOTE, KEUSOTE_UNIT)
    refused(env.reads.query(officer, client=served.client.hetu, register=HELSINKI.oid), "SH-ACC-006")
    refused(env.reads.query(officer, client=adult().hetu), "SH-ACC-008")  # no document, matter or right in Keusote
    refused(env.reads.query(officer, client=served.client.hetu, usage="2"), "SH-ACC-007")  # Keusote is no provider
    refused(env.reads.retrieve(officer, new_document_id(KEUSOTE.oid)), "SH-ACC-017")
    refused(env.reads.retrieve(officer, served.plan.document_id, client=adult().hetu), "SH-ACC-017")
    helsinki = env.reader(OFFICER, HELSINKI, Unit("1.2.246.10.2012566.10.40006775", "Vuosaari"))
    refused(env.reads.query(helsinki, client=served.client.hetu), "SH-ACC-004")  # no role in Helsinki
    refused(env.reads.query(env.reader(OFFICER, KEUSOTE, TUUSULA), client=served.client.hetu), "SH-ACC-005")


# --- roles ----------------------------------------------------------------------------------------------


def test_a_role_that_may_not_read_the_service_task(env, served):
    olli = env.reader(OLLI, KIELO, TUUSULA)  # lähihoitaja in older people's services only
    answer = env.reads.query(olli, client=served.client.hetu, usage="2", register=KEUSOTE.oid)
    assert (answer.ack, answer.errors) == ("AA", [])
    assert answer.document_ids == [served.relationship.document_id]  # no service task: judged by its group
    withheld = [d for d in answer.warnings if d.rule == "SH-ACC-013"]
    assert len(withheld) == 1 and "2 document(s) withheld" in withheld[0].text
    assert served.plan.document_id not in answer.raw.decode()  # never named
    refused(env.reads.retrieve(olli, served.plan.document_id, usage="2"), "SH-ACC-013")


def test_a_right_covers_its_service_task_only(env, served):
    other_task, _ = keusote_plan(env, served.client, at("2026-11-04"), function_code=("X-IKA", "Ikääntyneiden palvelut"))
    olli = env.reader(OLLI, KIELO, TUUSULA)  # may read older people's services, but the right is for task 24
    refused(env.reads.retrieve(olli, other_task.document_id, usage="2"), "SH-ACC-015")
    officer = env.reader(OFFICER, KEUSOTE, KEUSOTE_UNIT)
    assert other_task.document_id in env.reads.query(officer, client=served.client.hetu, service_tasks=["X-IKA"]).document_ids


def test_office_worker_and_archivist_profiles(env, served):
    tiina = env.reader(TIINA, KEUSOTE, KEUSOTE_UNIT)
    answer = env.reads.query(tiina, client=served.client.hetu)
    assert answer.document_ids == [served.relationship.document_id]
    assert [d.rule for d in answer.warnings] == ["SH-ACC-014"]
    refused(env.reads.retrieve(tiina, served.plan.document_id), "SH-ACC-014")
    assert env.reads.retrieve(tiina, served.relationship.document_id).ack == "AA"

    arja = env.reader(ARJA, KEUSOTE, KEUSOTE)  # the organisation itself as the unit
    listed = env.reads.query(arja, client=served.client.hetu)
    assert (listed.ack, len(listed.document_ids)) == ("AA", 3)
    refused(env.reads.retrieve(arja, served.plan.document_id), "SH-ACC-016")


# --- the card --------------------------------------------------------------------------------------------


def _foreign_card(who: Professional) -> x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = card_subject(who.given, who.family, registration_number=who.registration_number)
    now = datetime.now(timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Not DVV")]))
            .public_key(key.public_key()).serial_number(x509.random_serial_number()).not_valid_before(CARD_START)
            .not_valid_after(now.replace(year=now.year + 1)).sign(key, hashes.SHA256()))


def test_the_card_identifies_the_reader(env, served):
    hetu = served.client.hetu
    refused(env.reads.query(Reader(OFFICER, KEUSOTE, KEUSOTE_UNIT, None), client=hetu), "SH-ACC-001")
    refused(env.reads.query(Reader(OFFICER, KEUSOTE, KEUSOTE_UNIT, b"not DER"), client=hetu), "SH-ACC-001")
    refused(env.reads.query(Reader(OFFICER, KEUSOTE, KEUSOTE_UNIT, _foreign_card(OFFICER)), client=hetu), "SH-ACC-002")
    system_card = Reader(OFFICER, KEUSOTE, KEUSOTE_UNIT, env.keusote[0].certificate)
    answer = env.reads.query(system_card, client=hetu)
    refused(answer, "SH-ACC-002")
    assert "policy" in answer.errors[0].text
    answer = env.reads.query(env.reader(OFFICER, KEUSOTE, KEUSOTE_UNIT, card=NURSE), client=hetu)  # someone else's card
    refused(answer, "SH-ACC-003")
    assert NURSE.registration_number in answer.errors[0].text
    refused(env.reads.query(env.reader(NOBODY, KEUSOTE, KEUSOTE_UNIT), client=hetu), "SH-ACC-004")


# --- versions ------------------------------------------------------------------------------------------


def test_current_version_by_default_history_on_request(env, clock):
    clock("2026-11-05")
    client = adult()
    officer = env.reader(OFFICER, KEUSOTE, KEUSOTE_UNIT)
    v1, _ = keusote_plan(env, client, at("2026-11-03"))
    v2 = client_document(custodian=KEUSOTE, unit=KEUSOTE_UNIT, author=OFFICER, client=client, effective_time=at("2026-11-04"),
                         matter_id=v1.matter.id.root, replaces=replaces_of(v1))
    v2_bytes = archive(env, v2, sender=KEUSOTE, unit=KEUSOTE_UNIT, author=OFFICER, usage="1")

    assert env.reads.query(officer, client=client.hetu).document_ids == [v2.document_id]
    every = env.reads.query(officer, client=client.hetu, current_only=False)
    assert [(d.document_id, d.version, d.status, d.status_code, d.replaced_by) for d in every.documents] == [
        (v1.document_id, 1, "replaced", "obsolete", v2.document_id), (v2.document_id, 2, "active", "completed", None)]

    assert env.reads.retrieve(officer, v2.document_id).document_ids == [v2.document_id]
    history = env.reads.retrieve(officer, v2.document_id, include_history=True)
    assert [(d.document_id, d.status) for d in history.documents] == [(v1.document_id, "replaced"), (v2.document_id, "active")]
    assert history.documents[1].document_bytes == v2_bytes and history.documents[0].document_bytes.startswith(b"<?xml")

    void = client_document(custodian=KEUSOTE, unit=KEUSOTE_UNIT, author=OFFICER, client=client, effective_time=at("2026-11-05"),
                           matter_id=v1.matter.id.root, replaces=replaces_of(v2), replace_reason=("2", "Mitätöinti"),
                           restriction={"text": "Kirjattu väärälle asiakkaalle."})
    void = dataclasses.replace(void, local=dataclasses.replace(void.local, record_status=VOID))
    archive(env, void, sender=KEUSOTE, unit=KEUSOTE_UNIT, author=OFFICER, usage="1")
    assert env.reads.query(officer, client=client.hetu).query_response_code == "NF"  # voided: not current by default
    shown = env.reads.query(officer, client=client.hetu, include_voided=True).documents
    assert [(d.document_id, d.status, d.status_code, d.void_reason) for d in shown] == [
        (void.document_id, "voided", "nullified", "Kirjattu väärälle asiakkaalle.")]


# --- the messages on the wire ---------------------------------------------------------------------------


def test_unreadable_and_malformed_reads(env, served):
    post = env.reads.http.post
    base = env.reads.base_url
    r = post(base + "/kanta/shark/haku", content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
             headers={"Content-Type": "text/xml"})
    assert r.status_code == 400 and b"SH-XML-002" in r.content and b"root:" not in r.content
    assert b"RCMR_IN200011FI01" in r.content
    officer = env.reader(OFFICER, KEUSOTE, KEUSOTE_UNIT)
    query = request_bytes(query_request(officer, client=served.client.hetu))
    r = post(base + "/kanta/shark/nouto", content=query, headers={"Content-Type": "text/xml"})  # a query at the retrieve path
    assert r.status_code == 400 and b"SH-QRY-002" in r.content and b"RCMR_IN200013FI01" in r.content
    r = post(base + "/kanta/shark/haku", content=query, headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and b"SH-QRY-001" in r.content
    no_client = dataclasses.replace(query_request(officer, client=served.client.hetu), client_id=None)
    answer = env.reads.send("query", no_client)
    assert (answer.ack, answer.query_response_code, [d.rule for d in answer.errors]) == ("AE", "QE", ["SH-QRY-005"])
    bad_time = query_request(officer, client=served.client.hetu, since="2026-11-01")
    assert [d.rule for d in env.reads.send("query", bad_time).errors] == ["SH-QRY-006"]
    wrong_sp = query_request(officer, client=served.client.hetu, service_request="SP17")
    assert [d.rule for d in env.reads.send("query", wrong_sp).errors] == ["SH-QRY-003"]


def test_each_read_is_in_the_access_log_with_its_details(env, served):
    """Every search and read reaches the running sandbox's hash-chained access log."""
    client = served.client.hetu
    assert env.reads.query(env.reader(NURSE, KIELO, TUUSULA), client=client, usage="2").ack == "AA"
    assert env.reads.retrieve(env.reader(NURSE, KIELO, HYVINKAA), served.plan.document_id, usage="2").ack == "AE"
    withheld = env.reads.query(env.reader(OLLI, KIELO, TUUSULA), client=client, usage="2")
    assert withheld.document_ids == [served.relationship.document_id]

    events = env.http.get("/api/v1/audit/events", params={"client": client, "limit": 50}).json()["events"]
    reads = sorted((e for e in events if e["action"] in ("search", "read")), key=lambda e: e["seq"])
    search, read, olli = reads[-3:]
    card = env.cards[NURSE.registration_number].certificate
    assert (search["action"], search["outcome"], search["personId"], search["cardSerial"], search["organisationOid"],
            search["unitOid"], search["usageSituation"], search["documentIds"], search["ruleIds"]) == (
        "search", "AA", NURSE.registration_number, f"{card.serial_number:x}", KIELO.oid, TUUSULA.oid, "2",
        [served.relationship.document_id, served.plan.document_id, served.note.document_id], [])
    assert "25100000902" in search["cardSubject"] and search["at"].startswith("2026-11-05")
    assert (read["action"], read["outcome"], read["unitOid"], read["documentIds"], read["ruleIds"]) == (
        "read", "AE", HYVINKAA.oid, [served.plan.document_id], ["SH-ACC-012"])
    assert olli["ruleIds"] == ["SH-ACC-013"] and served.plan.document_id in olli["detail"]  # the log names what was withheld
    log = env.http.get(f"/api/v1/audit/clients/{client}/log", params={"since": "2026-01-01"}).json()
    assert {"search", "read"} <= {e["action"] for e in log["entries"]}
    assert env.http.get("/api/v1/audit/verify").json()["ok"] is True


def test_mutual_tls_the_sender_is_the_certificates_organisation(sandbox, env, served):
    services = _local_services(sandbox)
    reads = query_routes.read_service(services)
    body = request_bytes(query_request(env.reader(NURSE, KIELO, TUUSULA), client=served.client.hetu, usage="2"))
    assert reads.query("default", body, "text/xml", client_org=KIELO.oid).ack == "AA"
    other = reads.query("default", body, "text/xml", client_org=KEUSOTE.oid)
    assert (other.ack, [f.rule_id for f in other.errors], other.documents) == ("AE", ["SH-TRN-005"], [])
    gate = query_routes.refusal({"path": "/kanta/shark/nouto"}, "revoked: key compromise", services)
    assert gate.status_code == 403 and b"SH-TRN-006" in gate.body and b"RCMR_IN200013FI01" in gate.body
    assert query_routes.refusal({"path": "/kanta/shark/arkisto"}, "x", services) is None
