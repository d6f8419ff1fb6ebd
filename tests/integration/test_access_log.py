"""Every archive submission reaches the access log with who, where, what and the outcome."""
from datetime import date, datetime, timezone

from mock_kanta.client import (
    Client,
    KantaClient,
    Professional,
    Unit,
    artificial_hetu,
    client_document,
    frame_for,
    signed_bytes,
)
from tests.helpers import fresh_hetu
from tests.parties import HELSINKI
from tests.signing import issue_signer

UNIT = Unit("1.2.246.10.2012566.10.40006775", "Lapsiperheiden sosiaaliohjaus Vuosaaren perhekeskus 1, Helsingin sotepe")
WORKER = Professional("25100000904", "Lotta", "Lokittaja", hetu=artificial_hetu(date(1985, 5, 5), 950), title="sosiaaliohjaaja")


def test_accepted_and_refused_submissions_are_logged(sandbox):
    signer = issue_signer(sandbox.pki, "professional", (WORKER.given, WORKER.family, WORKER.registration_number))
    client = Client(fresh_hetu(date(1990, 6, 7)), "Loki", "Asiakas")
    doc = client_document(custodian=HELSINKI, unit=UNIT, author=WORKER, client=client, effective_time=datetime.now(timezone.utc))
    frame = frame_for(doc, sender_oid=HELSINKI.oid, author_person=WORKER.frame_person(), author_org=UNIT.ref())
    with KantaClient(sandbox.url) as kanta:
        assert kanta.archive(frame, signed_bytes(doc, [(signer, "professional")])).ack == "AA"
        assert kanta.archive(frame, signed_bytes(doc, [(signer, "professional")])).ack == "AE"  # the duplicate

    log = sandbox.http.get(f"/api/v1/audit/clients/{client.hetu}/log").json()
    entries = sorted(log["entries"], key=lambda e: e["at"])
    assert [(e["action"], e["outcome"]) for e in entries] == [("archive", "AA"), ("archive", "AE")]
    first = entries[0]
    assert first["personId"] == WORKER.hetu
    assert first["organisationOid"] == HELSINKI.oid and first["unitOid"] == UNIT.oid
    assert first["usageSituation"] == "1" and first["documentIds"] == [doc.document_id]
    assert "Lokittaja" in first["cardSubject"]
    events = sandbox.http.get("/api/v1/audit/events", params={"client": client.hetu, "limit": 10}).json()["events"]
    refused = next(e for e in events if e["outcome"] == "AE")
    assert refused["ruleIds"] == ["SH-ARC-001"]
    assert sandbox.http.get("/api/v1/audit/verify").json()["ok"] is True
