"""The traffic log over HTTP against a real `mock-kanta serve`: one row per archive, validation,
query and retrieve message, whatever the verdict, with the message and its findings explained.

The module works in a tenant of its own (made through the tenants API), clock frozen on 5.11.2026.
"""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from mock_kanta.client import (
    Client,
    KantaClient,
    TaskGrant,
    artificial_hetu,
    client_relationship_document,
    frame_bytes,
    frame_for,
    new_document_id,
    signed_bytes,
)
from mock_kanta.client.query import QueryClient, Reader
from mock_kanta.store import Store
from mock_kanta.store.tables import traffic as traffic_table
from mock_kanta.traffic import service as traffic
from mock_kanta.wire import soap
from tests.parties import HKI, KEUSOTE, KEUSOTE_UNIT, NOBODY, OFFICER, TUUSULA
from tests.signing import issue_signer

WHEN = datetime(2026, 11, 5, 12, tzinfo=HKI)
CARD_START = datetime(2026, 1, 1, tzinfo=timezone.utc)
TRAFFIC = "/api/v1/traffic"


class Env:
    def __init__(self, sandbox, tenant: str, kanta: KantaClient):
        self.sandbox, self.tenant, self.kanta, self.http = sandbox, tenant, kanta, sandbox.http
        self.headers = {"X-Mock-Kanta-Tenant": tenant}
        pki = sandbox.pki
        self.keusote = (issue_signer(pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700, start=CARD_START), "system")
        self.officer = issue_signer(pki, "professional", (OFFICER.given, OFFICER.family, OFFICER.registration_number),
                                    days=700, start=CARD_START)
        self.nobody = issue_signer(pki, "professional", (NOBODY.given, NOBODY.family, NOBODY.registration_number),
                                   days=700, start=CARD_START)
        self.reads = QueryClient.of(kanta)

    def get(self, path: str, **params):
        return self.http.get(path, params=params, headers=self.headers)

    def last(self) -> int:
        """The newest seq of the tenant so far."""
        seq, page = 0, {"more": True}
        while page["more"]:
            page = self.get(TRAFFIC, after=seq, limit=500).json()
            seq = page["last"]
        return seq

    def since(self, seq: int) -> list[dict]:
        return self.get(TRAFFIC, after=seq, limit=500).json()["items"]

    def entry(self, seq: int) -> dict:
        r = self.get(f"{TRAFFIC}/{seq}")
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
def env(sandbox):
    tenant = f"trf-{secrets.token_hex(4)}"
    sandbox.http.post("/api/v1/tenants", json={"id": tenant, "name": "Liikenne"}).raise_for_status()
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        kanta.clock_set(WHEN, frozen=True)
        yield Env(sandbox, tenant, kanta)
    sandbox.http.delete(f"/api/v1/tenants/{tenant}")


def client() -> Client:
    return Client(artificial_hetu(date(1940, 1, 1) + timedelta(days=secrets.randbelow(20000))), "Liikenne", "Asiakas")


def relationship(env, person: Client):
    """Keusote's client-relationship document naming Kielo's Tuusula unit: (doc, frame bytes, signed bytes)."""
    doc = client_relationship_document(
        organiser=KEUSOTE, client=person, effective_time=WHEN, relationship_id=new_document_id(KEUSOTE.oid),
        tasks=[TaskGrant("24", KEUSOTE_UNIT, ["45"], date(2026, 11, 1), provider_unit=False),
               TaskGrant("24", TUUSULA, ["45"], date(2026, 11, 1))])
    frame = frame_for(doc, sender_oid=KEUSOTE.oid, author_person=OFFICER.frame_person(), author_org=KEUSOTE_UNIT.ref(),
                      creation_time=WHEN)
    return doc, frame_bytes(frame), signed_bytes(doc, [env.keusote], signed_at=WHEN)


def one(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


def test_an_accepted_document_is_logged_by_reference(env, sandbox):
    person = client()
    doc, frame, signed = relationship(env, person)
    before = env.last()
    assert env.kanta.archive(frame, signed).ack == "AA"

    row = one(env.since(before))
    assert {k: row[k] for k in ("channel", "verdict", "ack", "stored", "senderOid", "registerOid", "clientId", "documentId",
                                "personId", "serviceRequest", "usageSituation", "ruleIds", "truncated", "detail")} == {
        "channel": "archive", "verdict": "AA", "ack": "AA", "stored": True, "senderOid": KEUSOTE.oid,
        "registerOid": KEUSOTE.oid, "clientId": person.hetu, "documentId": doc.document_id,
        "personId": OFFICER.registration_number, "serviceRequest": "SP1", "usageSituation": "1", "ruleIds": [],
        "truncated": False, "detail": "archive"}
    assert row["at"].startswith("2026-11-05T10:00:00") and row["senderName"] == KEUSOTE.name
    assert row["registerName"] == KEUSOTE.name and row["transport"] == "multipart"
    # The bytes are the stored document's: the same as sent, not copied into the traffic log.
    assert env.get(row["links"]["frame"]).content == frame
    assert env.get(row["links"]["document"]).content == signed
    full = env.entry(row["seq"])
    assert full["documentXml"] == signed.decode("utf-8")
    assert all(f["severity"] != "error" for f in full["findings"])  # the warnings it was accepted with, if any
    store = Store(sandbox.database_url)
    with store.engine.connect() as conn:
        stored = conn.execute(select(traffic_table.c.frame_xml, traffic_table.c.document_xml, traffic_table.c.findings_json)
                              .where(traffic_table.c.seq == row["seq"])).one()
    assert tuple(stored) == (None, None, None)  # no copy of what the documents table keeps


def test_a_refused_document_keeps_what_came_and_explains_why(env):
    _doc, frame, signed = relationship(env, client())
    assert env.kanta.archive(frame, signed).ack == "AA"
    before = env.last()
    answer = env.kanta.archive(frame, signed)  # the same document again
    assert answer.ack == "AE" and "SH-ARC-001" in answer.rule_ids

    row = one(env.since(before))
    assert (row["verdict"], row["stored"], row["ruleIds"]) == ("AE", False, answer.rule_ids)
    assert env.get(row["links"]["frame"]).content == frame and env.get(row["links"]["document"]).content == signed
    full = env.entry(row["seq"])
    duplicate = next(f for f in full["findings"] if f["rule"] == "SH-ARC-001")
    assert duplicate["severity"] == "error" and duplicate["part"] == "document"
    assert duplicate["xpath"].startswith("/hl7:ClinicalDocument")
    assert all(duplicate[k][lang] for k in ("text", "fix", "title") for lang in ("fi", "sv", "en"))
    assert duplicate["source"] and duplicate["text"]["en"] in next(d.text for d in answer.errors if d.rule == "SH-ARC-001")
    assert full["frameXml"] == frame.decode("utf-8")


def test_a_body_that_could_not_be_split_is_kept_whole(env):
    before = env.last()
    body, content_type = b"--x\r\nnot a part at all\r\n--x--\r\n", "multipart/related; boundary=x; type=\"text/xml\""
    r = env.http.post("/kanta/shark/arkisto", content=body, headers={**env.headers, "Content-Type": content_type})
    assert r.status_code == 400

    row = one(env.since(before))
    assert (row["verdict"], row["ack"], row["links"]["frame"], row["links"]["document"]) == ("AR", "AR", None, None)
    raw = env.get(row["links"]["body"])
    assert raw.content == body and raw.headers["content-type"] == "application/octet-stream"  # never the sender's type
    assert env.entry(row["seq"])["contentType"] == content_type
    missing = env.get(f"{TRAFFIC}/{row['seq']}/frame.xml")
    assert missing.status_code == 404 and "see its body" in missing.json()["detail"]
    assert {f["part"] for f in env.entry(row["seq"])["findings"]} == {"message"}


def test_a_body_too_large_is_logged_without_its_bytes(env, sandbox):
    before = env.last()
    limit = int(sandbox.env["MOCK_KANTA_MAX_BODY_BYTES"])
    r = env.http.post("/kanta/shark/arkisto", content=b"x" * (limit + 1), headers={**env.headers, "Content-Type": "text/xml"})
    assert r.status_code == 413

    row = one(env.since(before))
    assert (row["verdict"], row["ruleIds"], row["links"]["body"], row["links"]["frame"]) == ("AR", ["SH-XML-003"], None, None)
    assert "MOCK_KANTA_MAX_BODY_BYTES" in row["detail"]


def test_validation_calls_are_logged(env):
    doc, frame, signed = relationship(env, client())
    before = env.last()
    assert env.kanta.validate(frame, signed).valid
    assert env.kanta.validate(frame, signed, service_request="SP2").valid  # SH-VAL-001 is modelled: a warning
    broken = re.sub(rb'(<hl7fi:creationTime value=")[^"]*', rb"\g<1>2.11.2026", signed, count=1)  # SH-HDR-014 (kanta)
    wrong = env.kanta.validate(frame, broken)
    assert not wrong.valid
    r = env.http.post("/shark-validointi/validoi/asiakirja/tulos", content=b"[1, 2]", headers=env.headers)
    assert r.status_code == 400

    valid, _, invalid, not_json = env.since(before)
    assert (valid["channel"], valid["verdict"], valid["documentId"], valid["stored"]) == ("validate", "valid", doc.document_id, False)
    assert valid["transport"] == "shark-json" and env.get(valid["links"]["document"]).content == signed
    assert (invalid["verdict"], invalid["ruleIds"]) == ("invalid", ["SH-HDR-014"])
    assert env.entry(invalid["seq"])["findings"][-1]["part"] == "document"
    assert (not_json["verdict"], not_json["ruleIds"]) == ("invalid", ["SH-TRN-004"])
    assert env.get(not_json["links"]["body"]).content == b"[1, 2]"


def test_queries_and_retrieves_are_logged(env):
    person = client()
    doc, frame, signed = relationship(env, person)
    assert env.kanta.archive(frame, signed).ack == "AA"
    officer = Reader(OFFICER, KEUSOTE, KEUSOTE_UNIT, env.officer.certificate)
    before = env.last()

    found = env.reads.query(officer, client=person.hetu, usage="1", register=KEUSOTE.oid)
    assert found.ack == "AA" and found.document_ids == [doc.document_id]
    got = env.reads.retrieve(officer, doc.document_id, usage="1")
    assert got.ack == "AA"
    stranger = env.reads.query(Reader(NOBODY, KEUSOTE, KEUSOTE_UNIT, env.nobody.certificate), client=person.hetu, usage="1",
                               register=KEUSOTE.oid)
    assert stranger.ack == "AE"

    query, retrieve, refused = env.since(before)
    assert (query["channel"], query["verdict"], query["documentIds"], query["clientId"], query["personId"]) == (
        "query", "ok", [doc.document_id], person.hetu, OFFICER.registration_number)
    assert query["registerOid"] == KEUSOTE.oid and query["links"]["document"] is None
    assert b"RCMR_IN200010FI01" in env.get(query["links"]["frame"]).content  # the request as received
    assert (retrieve["channel"], retrieve["verdict"], retrieve["documentId"], retrieve["stored"]) == (
        "retrieve", "ok", doc.document_id, True)
    assert env.get(retrieve["links"]["document"]).content == signed  # the document it was given
    assert b"RCMR_IN200012FI01" in env.get(retrieve["links"]["frame"]).content
    assert (refused["verdict"], refused["ack"]) == ("refused", "AE")
    assert refused["ruleIds"] == sorted(d.rule for d in stranger.errors)
    assert {f["rule"] for f in env.entry(refused["seq"])["findings"]} >= set(refused["ruleIds"])


def test_pages_filters_and_bad_parameters(env):
    before = env.last()
    for _ in range(3):
        assert env.kanta.validate(*relationship(env, client())[1:]).valid
    first = env.get(TRAFFIC, after=before, limit=2).json()
    assert (len(first["items"]), first["more"]) == (2, True)
    assert first["last"] == first["items"][-1]["seq"] > first["items"][0]["seq"] > before
    rest = env.get(TRAFFIC, after=first["last"], limit=2).json()
    assert (len(rest["items"]), rest["more"]) == (1, False)
    empty = env.get(TRAFFIC, after=rest["last"]).json()
    assert empty == {"items": [], "last": rest["last"], "more": False}
    assert env.get(f"{TRAFFIC}/", after=before, limit=2).json() == first  # connexion's mount answers the same

    assert {i["channel"] for i in env.get(TRAFFIC, channel="validate").json()["items"]} == {"validate"}
    assert {i["verdict"] for i in env.get(TRAFFIC, verdict="AA").json()["items"]} == {"AA"}
    person = env.since(before)[0]["clientId"]
    assert [i["clientId"] for i in env.get(TRAFFIC, client=person).json()["items"]] == [person]

    for path in (TRAFFIC, f"{TRAFFIC}/"):
        for params in ({"after": "-1"}, {"limit": "0"}, {"limit": "501"}, {"limit": "many"}, {"channel": "fax"},
                       {"verdict": "maybe"}):
            r = env.get(path, **params)
            assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json"), (path, params)
        r = env.http.get(path, headers={"X-Mock-Kanta-Tenant": "no-such-tenant"})
        assert r.status_code == 404
    assert env.get(TRAFFIC, bogus="1").status_code == 400
    assert env.get(f"{TRAFFIC}/999999999").status_code == 404
    assert env.http.get(f"{TRAFFIC}/{rest['last']}").status_code == 404  # another tenant's message is not there


def test_a_reset_empties_the_log_and_seq_keeps_growing(sandbox):
    tenant = f"trf-{secrets.token_hex(4)}"
    sandbox.http.post("/api/v1/tenants", json={"id": tenant}).raise_for_status()
    headers = {"X-Mock-Kanta-Tenant": tenant}
    with KantaClient(sandbox.url, tenant=tenant) as kanta:
        kanta.validate(b"<x/>", b"<y/>")
        seq = sandbox.http.get(TRAFFIC, headers=headers).json()["last"]
        sandbox.http.post(f"/api/v1/tenants/{tenant}/reset").raise_for_status()
        assert sandbox.http.get(TRAFFIC, headers=headers).json() == {"items": [], "last": 0, "more": False}
        kanta.validate(b"<x/>", b"<y/>")
        assert sandbox.http.get(TRAFFIC, headers=headers).json()["last"] > seq
    sandbox.http.delete(f"/api/v1/tenants/{tenant}").raise_for_status()


@pytest.mark.parametrize("xpath, part", [("/hl7:ClinicalDocument/hl7:id/@root", "document"),
                                         ("/hl7:RCMR_IN200002FI01/hl7:id", "frame"), ("/", "message")])
def test_the_part_a_finding_points_at(xpath, part):
    assert traffic.part_of(xpath) == part


def test_soap_transport_is_recorded(env):
    _doc, frame, signed = relationship(env, client())
    before = env.last()
    body, content_type = soap.build_soap_swa(frame, signed)
    r = env.http.post("/kanta/shark/arkisto", content=body, headers={**env.headers, "Content-Type": content_type})
    assert r.status_code == 200
    row = one(env.since(before))
    assert (row["verdict"], row["transport"]) == ("AA", "soap-swa")
    assert env.get(row["links"]["frame"]).content == frame  # the part inside the SOAP envelope
