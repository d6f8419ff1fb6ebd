"""The client library against a running sandbox: build, sign, validate and archive, over both transports."""
import re
from datetime import date, datetime, timezone

import pytest

from mock_kanta.client import (
    Client,
    KantaClient,
    Org,
    Professional,
    TaskGrant,
    Unit,
    artificial_hetu,
    client_document,
    client_relationship_document,
    frame_for,
    new_document_id,
    signed_bytes,
)
from tests.helpers import fresh_hetu
from tests.signing import issue_signer

ORGANISER = Org("1.2.246.10.32213561.10.0", "Vantaan ja Keravan hyvinvointialue")
UNIT = Unit("1.2.246.10.1246109.10.2001213", "Lapsiperheiden palvelutarpeen arviointi, Vantaan ja Keravan hyvinvointialue")
WORKER = Professional("25104559650", "Angelica", "Johansson", hetu=artificial_hetu(date(1979, 7, 8), 998),
                      title="sosiaaliohjaaja")


@pytest.fixture(scope="module")
def signers(sandbox):
    return {
        "system": (issue_signer(sandbox.pki, "system", (ORGANISER.name, ORGANISER.oid)), "system"),
        "professional": (issue_signer(sandbox.pki, "professional", (WORKER.given, WORKER.family, WORKER.registration_number)),
                         "professional"),
    }


@pytest.fixture(params=["multipart", "soap"])
def kanta(request, sandbox):
    with KantaClient(sandbox.url, transport=request.param) as client:
        yield client


def fresh_client() -> Client:
    return Client(fresh_hetu(date(2016, 4, 12)), "Testi Kanta", "Asiakas")


def own_frame(doc):
    return frame_for(doc, sender_oid=ORGANISER.oid, author_person=WORKER.frame_person(), author_org=UNIT.ref())


def assert_clean(answer):
    assert (answer.ack, answer.status, [(d.rule, d.location) for d in answer.details]) == ("AA", 200, [])


def test_relationship_then_client_document_are_archived(kanta, sandbox, signers):
    client, now = fresh_client(), datetime.now(timezone.utc)
    relationship = client_relationship_document(
        organiser=ORGANISER, client=client, relationship_id=new_document_id(ORGANISER.oid), effective_time=now,
        tasks=[TaskGrant("24", UNIT, ["15"], now.date(), provider_unit=False), TaskGrant("24", UNIT, ["15"], now.date())],
    )
    signed = signed_bytes(relationship, [signers["system"]])
    frame = own_frame(relationship)
    assert kanta.validate(frame, signed).valid
    assert_clean(kanta.archive(frame, signed))

    plan = client_document(custodian=ORGANISER, unit=UNIT, author=WORKER, client=client, effective_time=now,
                           relationship_id=relationship.local.client_relationship,
                           content={"suunnitelma": {"kuvaus_asiakkaan_tilanteesta": "Perhe tarvitsee tukea arkeen."}})
    signed = signed_bytes(plan, [signers["professional"]])
    frame = own_frame(plan)
    assert kanta.validate(frame, signed).valid
    assert_clean(kanta.archive(frame, signed))

    rights = sandbox.http.get(f"/api/v1/clients/{client.hetu}/rights").json()["rights"]
    assert [(r["unitOid"], r["services"], r["inForce"]) for r in rights] == [(UNIT.oid, ["15"], True)]
    matters = sandbox.http.get(f"/api/v1/clients/{client.hetu}/matters").json()
    assert plan.matter.id.root in str(matters)

    listed = sandbox.http.get(f"/api/v1/registers/{ORGANISER.oid}/documents", params={"client": client.hetu}).json()
    assert {d["documentId"] for d in listed["documents"]} == {relationship.document_id, plan.document_id}

    again = kanta.archive(frame, signed)
    assert (again.ack, again.status, [d.rule for d in again.errors]) == ("AE", 200, ["SH-ARC-001"])


def test_refusals_come_back_with_their_rules(sandbox, signers):
    plan = client_document(custodian=ORGANISER, unit=UNIT, author=WORKER, client=fresh_client(),
                           effective_time=datetime.now(timezone.utc), consent=None)
    signed, frame = signed_bytes(plan, [signers["professional"]]), own_frame(plan)
    signed = re.sub(rb'(<hl7fi:creationTime value=")[^"]*', rb"\g<1>not a time", signed, count=1)  # SH-HDR-014 (kanta)
    with KantaClient(sandbox.url) as kanta:
        refused = kanta.archive(frame, signed)
        assert refused.ack == "AE" and [d.rule for d in refused.errors] == ["SH-HDR-014"]
        assert "SH-MIN-001" in [d.rule for d in refused.warnings]  # basis modelled: a warning (docs/verdicts.md)
        invalid = kanta.validate(frame, signed, "SP1")
        assert invalid.status == 400 and not invalid.valid
        assert set(invalid.rule_ids) == {"SH-HDR-014", "SH-MIN-001", "SH-VAL-001"} and invalid.code == "SH-HDR-014"
        assert invalid.description.startswith("1: ")
        unreadable = kanta.archive(frame, b"<ClinicalDocument")
        assert (unreadable.ack, unreadable.status, unreadable.rule_ids) == ("AR", 400, ["SH-XML-001"])
    with KantaClient(sandbox.url, tenant="ghost") as ghost:
        assert ghost.archive(frame, signed).rule_ids == ["SH-TRN-004"]


def test_clock_helpers(sandbox):
    with KantaClient(sandbox.url) as kanta:
        try:
            state = kanta.clock_set(datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc), frozen=True)
            assert (state["now"], state["mode"]) == ("2026-09-01T08:00:00+00:00", "frozen")
            assert kanta.clock_advance(days=1)["now"] == "2026-09-02T08:00:00+00:00"
            assert kanta.clock()["mode"] == "frozen"
        finally:
            assert kanta.clock_reset()["mode"] == "real"
