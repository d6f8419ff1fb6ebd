"""The read side's messages (modelled): build and parse round trips, hostile XML, the interactions
and role profiles as data (judged by the read side's document checks)."""
from __future__ import annotations

import base64
from datetime import date, datetime, timezone

import pytest

from mock_kanta.client import Org, Professional, Unit
from mock_kanta.client.query import Reader, parse_read_answer, query_request, request_bytes, retrieve_request
from mock_kanta.core.codes import CodeSystems
from mock_kanta.core.model import II, Coded, OrgRef
from mock_kanta.core.resources import builtin
from mock_kanta.read.facts import StoredDocument
from mock_kanta.read.roles import Roles, RoleSource
from mock_kanta.read.service import ReadService
from mock_kanta.rules import REGISTRY
from mock_kanta.rules.read import judge
from mock_kanta.rules.read.context import Assignment, Candidate, ReadContext, Who
from mock_kanta.settings import Settings
from mock_kanta.wire import soap
from mock_kanta.wire.hl7v3 import AckDetail
from mock_kanta.wire.paths.query import Interactions, hl7_instant
from mock_kanta.wire.query_messages import (
    DocumentEntry,
    QueryAck,
    build_request,
    build_response,
    new_response,
    parse_request,
    parse_response,
)

FIXTURES = builtin("fixtures")
KIELO = Org("1.2.246.10.29876516.10.0", "Hoivakoti Kielo Oy")
TUUSULA = Unit("1.2.246.10.29876516.10.2", "Hoivakoti Kielo, kotihoito Tuusula")
NURSE = Professional("25100000902", "Liisa", "Lähihoitaja")
READER = Reader(NURSE, KIELO, TUUSULA, b"\x30\x03\x02\x01\x01")  # not a certificate: the messages do not care
HETU = "010150-9012"


# --- requests ---------------------------------------------------------------------------------------


def test_query_request_round_trip():
    request = query_request(READER, client=HETU, usage="2", register="1.2.246.10.32213449.10.0", matter="1.2.3.4",
                            service_tasks=["24"], document_groups=["5"], document_types=["15", "15007"], since=date(2026, 1, 1),
                            until=datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc), current_only=False, include_voided=True,
                            limit=10)
    data = build_request(request)
    assert parse_request(data) == request
    assert build_request(parse_request(data)) == data
    assert request.reader.registration_number == NURSE.registration_number and request.reader.unit == TUUSULA.oid
    assert (request.interaction, request.client, request.time_low, request.time_high) == (
        "RCMR_IN200010FI01", HETU, "20260101", "20270101010000+0200")
    text = data.decode()
    for piece in ('<interactionId root="2.16.840.1.113883.1.6" extension="RCMR_IN200010FI01"/>',
                  '<receiver typeCode="RCV"><device classCode="DEV" determinerCode="INSTANCE"><id root="1.2.246.556.18007.2"/>',
                  '<controlActProcess classCode="CACT" moodCode="RQO">', 'code="SP-HAKU" codeSystem="1.2.246.537.6.1503.201601"',
                  'code="2" codeSystem="1.2.246.537.6.1289.201901"', '<id root="1.2.246.537.26" extension="25100000902"/>',
                  f'<hl7fi:authenticationCertificate mediaType="application/pkix-cert">{base64.b64encode(READER.certificate).decode()}',
                  f'<clientId><value root="1.2.246.21" extension="{HETU}"/></clientId>',
                  '<documentType><value code="15" codeSystem="1.2.246.537.6.1506.201701"/><value code="15007"',
                  '<currentOnly><value value="false"/></currentOnly><includeVoided><value value="true"/></includeVoided>'):
        assert piece in text, piece


def test_retrieve_request_round_trip():
    request = retrieve_request(READER, "1.2.246.10.32213449.95.2026.1.1", usage="2", client=HETU, include_history=True)
    data = build_request(request)
    assert parse_request(data) == request
    assert request.interaction == "RCMR_IN200012FI01"
    assert '<documentId><value root="1.2.246.10.32213449.95.2026.1.1"/></documentId>' in data.decode()
    assert '<includeHistory><value value="true"/></includeHistory>' in data.decode()
    assert request.time_low is None and request.service_tasks == ()


def test_defaults_are_left_out():
    request = query_request(READER, client=HETU)
    text = build_request(request).decode()
    assert "currentOnly" not in text and "includeVoided" not in text and "initialQuantity" not in text
    assert request.current_only is None  # the service reads "not given" as currentOnly=true, includeVoided=false


# --- responses ---------------------------------------------------------------------------------------


def _entry(**kwargs) -> DocumentEntry:
    base = dict(id=II(root="1.2.3.1"), code=Coded("15007", "1.2.246.537.6.1506.201701", display_name="Asiakassuunnitelma"),
                status_code="completed", effective_time="20261105120000+0200", set_id=II(root="1.2.3.1"), version_number="1",
                client_id=II(root="1.2.246.21", extension=HETU), register=OrgRef(II(root="1.2.246.10.32213449.10.0"), "Keusote"),
                matter_id=II(root="1.2.3.9"), document_group=Coded("5", "1.2.246.537.6.1505.201601"),
                service_task=Coded("24", "1.2.246.537.6.1221.201601"), service_unit="1.2.246.10.29876516.10.2",
                record_status="active", archived_by="1.2.246.10.29876516.10.0", received_at="20261105120001+0200")
    return DocumentEntry(**{**base, **kwargs})


def test_response_round_trip():
    interactions = Interactions.load()
    stored = b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"><id root="1.2.3.1"/></ClinicalDocument>'
    documents = [_entry(), _entry(id=II(root="1.2.3.2"), version_number="2", record_status="replaced", status_code="obsolete",
                                  replaced_by="1.2.3.3", text_media_type="text/xml", text_representation="B64",
                                  document_b64=base64.b64encode(stored).decode(), frame_media_type="text/xml",
                                  frame_b64=base64.b64encode(b"<frame/>").decode())]
    detail = AckDetail("W", "SH-ACC-013", "2.25.1", "withheld", "[fi] … [sv] … [en] …", "/hl7:ClinicalDocument")
    response = new_response(interactions["query"], "AA", target=II("1.2.246.10.29876516.10.0", "7"), receiver="1.2.246.10.29876516.10.0",
                            details=[detail], documents=documents,
                            query_ack=QueryAck(II("1.2.246.10.29876516.10.0", "7"), "OK", "2", "2", "0"), processing_code="D")
    data = build_response(response)
    assert parse_response(data) == response
    assert parse_response(soap.build_soap_envelope(data)) == response  # a SOAP envelope is unwrapped
    answer = parse_read_answer(200, data)
    assert (answer.ack, answer.rule_ids, answer.query_response_code, answer.total) == ("AA", ["SH-ACC-013"], "OK", 2)
    assert answer.documents[1].document_bytes == stored and answer.documents[1].frame_bytes == b"<frame/>"
    assert [(d.document_id, d.version, d.status, d.register_oid, d.matter) for d in answer.documents] == [
        ("1.2.3.1", 1, "active", "1.2.246.10.32213449.10.0", "1.2.3.9"), ("1.2.3.2", 2, "replaced", "1.2.246.10.32213449.10.0", "1.2.3.9")]
    text = data.decode()
    assert text.index("<acknowledgement") < text.index("<controlActProcess") < text.index("<subject") < text.index("<queryAck")


def test_response_without_a_target_or_receiver():
    response = new_response(Interactions.load()["retrieve"], "AR", target=None, receiver=None, details=[])
    data = build_response(response)
    assert '<targetMessage><id nullFlavor="UNK"/></targetMessage>' in data.decode()
    assert parse_response(data).interaction == "RCMR_IN200013FI01"


# --- hostile and unreadable input ------------------------------------------------------------------------


@pytest.fixture
def service(tmp_path) -> ReadService:
    """A read service with no store: these inputs never get past reading."""
    settings = Settings(data_dir=tmp_path, fixtures_dir=FIXTURES, max_body_bytes=64 * 1024)
    return ReadService(settings, None, CodeSystems.load(), None, None)


QUERY = request_bytes(query_request(READER, client=HETU))
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
          b"<RCMR_IN200010FI01 xmlns=\"urn:hl7-org:v3\">&lol2;</RCMR_IN200010FI01>")


@pytest.mark.parametrize("body, content_type, rule", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', "text/xml", "SH-XML-002"),
    (LAUGHS, "text/xml", "SH-XML-002"),
    (soap.build_soap_envelope(QUERY).replace(b"?>", b"?><!DOCTYPE e [<!ENTITY x 'y'>]>", 1), "text/xml", "SH-XML-002"),
    (b"<a>" * 300 + b"</a>" * 300, "text/xml", "SH-XML-004"),
    (b"<RCMR_IN200010FI01>" + b" " * 70000 + b"</RCMR_IN200010FI01>", "text/xml", "SH-XML-003"),
    (QUERY[:-30], "text/xml", "SH-XML-001"),
    (b"", "text/xml", "SH-QRY-001"),
    (QUERY, "application/json", "SH-QRY-001"),
    (QUERY, None, "SH-QRY-001"),
    (soap.build_multipart(QUERY, QUERY)[0], soap.build_multipart(QUERY, QUERY)[1], "SH-QRY-001"),
    (b'<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body/></Envelope>', "text/xml", "SH-QRY-001"),
    (QUERY.replace(b"urn:hl7-org:v3", b"urn:other"), "text/xml", "SH-QRY-002"),
    (request_bytes(retrieve_request(READER, "1.2.3")), "text/xml", "SH-QRY-002"),
])
def test_unreadable_reads_are_refused_with_ar(service, body, content_type, rule):
    result = service.query("default", body, content_type)
    assert (result.ack, result.rule_ids) == ("AR", [rule])
    answer = parse_read_answer(400, service.response_bytes(result))
    assert (answer.ack, answer.rule_ids, answer.documents, answer.query_response_code) == ("AR", [rule], [], "AE")
    assert answer.response.interaction == "RCMR_IN200011FI01"
    assert b"root:x:" not in answer.raw  # no external entity was read


def test_a_soap_request_gets_a_soap_answer(service):
    result = service.query("default", soap.build_soap_envelope(QUERY.replace(b"urn:hl7-org:v3", b"urn:x")), "text/xml")
    assert (result.ack, result.rule_ids, result.soap_version) == ("AR", ["SH-QRY-002"], "1.1")
    raw = service.response_bytes(result)
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">')
    assert parse_read_answer(400, raw).rule_ids == ["SH-QRY-002"]
    assert not service.response_bytes(result, soap_wrap=False).startswith(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap")


# --- interactions and roles as data ------------------------------------------------------------------------


def test_interactions_are_modelled_data_and_overridable(tmp_path):
    builtin = Interactions.load()
    assert {k: (i.request, i.response, i.path, i.service_request.code, i.verified) for k, i in builtin.by_kind.items()} == {
        "query": ("RCMR_IN200010FI01", "RCMR_IN200011FI01", "/kanta/shark/haku", "SP-HAKU", False),
        "retrieve": ("RCMR_IN200012FI01", "RCMR_IN200013FI01", "/kanta/shark/nouto", "SP-NOUTO", False),
    }
    (tmp_path / "interactions.yaml").write_text("query: {request: RCMR_IN209999FI01, service_request: {code: SP99}}\n")
    changed = Interactions.load(tmp_path)
    assert (changed["query"].request, changed["query"].service_request.code, changed["query"].response) == (
        "RCMR_IN209999FI01", "SP99", "RCMR_IN200011FI01")
    assert changed["query"].service_request.code_system == "1.2.246.537.6.1503.201601"
    (tmp_path / "interactions.yaml").write_text("search: {request: X}\n")
    with pytest.raises(ValueError, match="unknown interaction"):
        Interactions.load(tmp_path)


def refusals(assignment: Assignment, *, task: str | None, group: str, type_: str | None, content: bool = False) -> list[str]:
    """The rules that refuse this reader a document of this service task, group and type (rules.read.documents)."""
    ctx = ReadContext("query", Interactions.load(), who=Who(assignment, None))
    row = {"document_id": "1.2.3.1", "register_oid": "1.2.3", "function_code": task, "document_group": group,
           "document_type": type_}
    return [f.rule_id for f in judge(ctx, Candidate(StoredDocument(row), None, content=content))]


def test_role_profiles_load_and_decide():
    roles = Roles.load(FIXTURES / "roles.yaml")
    assert {"sosiaalityontekija", "sosiaaliohjaaja", "lahihoitaja", "toimistotyontekija", "arkistonhoitaja"} <= set(roles.roles)
    nurse = roles.assignment("25100000902", KIELO.oid)
    assert nurse.role_ids == ("lahihoitaja",) and nurse.service_tasks == frozenset({"24"})
    assert roles.assignment("25100000902", "1.2.246.10.32213449.10.0") is None  # no role in Keusote
    assert refusals(nurse, task="24", group="5", type_="15007", content=True) == []
    assert refusals(nurse, task=None, group="1", type_=None) == []  # the relationship document has no task
    assert refusals(nurse, task="X-IKA", group="5", type_="15007") == ["SH-ACC-013"]
    office = roles.assignment("25100000912", "1.2.246.10.32213449.10.0")
    assert refusals(office, task="24", group="5", type_="15007") == ["SH-ACC-014"]
    archivist = roles.assignment("25100000913", "1.2.246.10.32213449.10.0")
    assert refusals(archivist, task="24", group="5", type_="15007") == []  # metadata
    assert refusals(archivist, task="24", group="5", type_="15007", content=True) == ["SH-ACC-016"]
    for card in ("25199990011", "25199990022", "25199990033"):  # the demo cards have roles
        assert roles.assignments[card]


def test_roles_override_from_the_data_directory_is_reread(tmp_path):
    settings = Settings(data_dir=tmp_path, fixtures_dir=FIXTURES)
    source = RoleSource.for_settings(settings)
    assert source.current().assignment("25100000902", KIELO.oid).service_tasks == frozenset({"24"})
    (tmp_path / "roles.yaml").write_text(
        "roles:\n  lahihoitaja: {service_tasks: ['24'], document_groups: ['5'], document_types: '*', content: true}\n"
        "professionals:\n  '25100000902': {assignments: [{organisation: 1.2.246.10.29876516.10.0, roles: [lahihoitaja]}]}\n")
    changed = source.current()
    nurse = changed.assignment("25100000902", KIELO.oid)
    assert nurse.service_tasks is None and nurse.roles[0].document_groups == frozenset({"5"})
    assert refusals(nurse, task=None, group="1", type_=None) == ["SH-ACC-014"]
    assert "sosiaalityontekija" in changed.roles  # the rest of the fixture stays
    (tmp_path / "roles.yaml").write_text("professionals:\n  '1': {assignments: [{organisation: x, roles: [nosuch]}]}\n")
    assert source.current() is changed  # a broken override keeps the roles in force
    with pytest.raises(ValueError, match="unknown role"):
        Roles.load(FIXTURES / "roles.yaml", tmp_path / "roles.yaml")


def test_access_rules_are_registered_in_three_languages():
    ids = [r for r in REGISTRY if r.startswith(("SH-ACC-", "SH-QRY-"))]
    assert len(ids) == 25
    for rid in ids:
        rule = REGISTRY[rid]
        assert rule.source and all(getattr(rule.message, lang).strip() for lang in ("fi", "sv", "en"))


def test_hl7_times():
    assert hl7_instant("20261105") == datetime(2026, 11, 4, 22, 0, tzinfo=timezone.utc)
    assert hl7_instant("20261105", end=True) == datetime(2026, 11, 5, 22, 0, tzinfo=timezone.utc)
    assert hl7_instant("20261105120000+0200") == datetime(2026, 11, 5, 10, 0, tzinfo=timezone.utc)
    assert hl7_instant("202611051200-0100", end=True) == datetime(2026, 11, 5, 13, 1, tzinfo=timezone.utc)
    assert hl7_instant("2026-11-05") is None and hl7_instant("20261305") is None and hl7_instant(None) is None
