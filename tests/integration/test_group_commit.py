"""Group commit over HTTP: a real `mock-kanta serve --workers 2`, concurrent clients.

Every acknowledged document is stored (and survives SIGKILL), the access log's chain stays whole,
one document id is stored once and a parent gets one new version, however the requests race
(within one worker's batch or across the two worker processes).
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

import pytest

from mock_kanta.client import (
    Client,
    KantaClient,
    Professional,
    Unit,
    client_document,
    frame_for,
    replaces_of,
    signed_bytes,
)
from tests.conftest import Sandbox
from tests.helpers import ack_of, codes, fresh_hetu, fresh_pair, post_archive
from tests.parties import HELSINKI
from tests.signing import issue_signer

UNIT = Unit("1.2.246.10.2012566.10.40006775", "Lapsiperheiden sosiaaliohjaus Vuosaaren perhekeskus 1, Helsingin sotepe")
WORKER = Professional("25100000904", "Ryhmä", "Kirjaaja", title="sosiaaliohjaaja")
REGISTER = "1.2.246.10.32213561.10.0"  # the asiakkuusasiakirja sample's register
CLIENTS = 8


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    server = Sandbox(tmp_path_factory.mktemp("group-commit") / "var", args=["--workers", "2", "--no-demo-cards"])
    server.start()
    yield server
    server.stop()


def together(calls) -> list:
    """Run the calls from CLIENTS threads released at once; their results in order."""
    start = threading.Barrier(min(len(calls), CLIENTS))

    def run(call):
        try:
            start.wait(10)
        except threading.BrokenBarrierError:
            pass  # more calls than threads: the later ones just run
        return call()

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(run, calls))


def sample_bodies(box, samples, prefix: str, n: int) -> list[tuple[str, bytes, bytes]]:
    """n copies of the asiakkuusasiakirja sample, each with its own id, re-signed (sandbox CA)."""
    out = []
    for i in range(n):
        document_id = f"1.2.246.10.32213561.95777.2026.{prefix}.{i + 1}"
        out.append((document_id, *fresh_pair(box, "asiakkuusasiakirja", *samples["asiakkuusasiakirja"], document_id)))
    return out


def stored(box, document_id: str) -> bytes | None:
    r = box.http.get(f"/api/v1/registers/{REGISTER}/documents/{document_id}/document.xml")
    return r.content if r.status_code == 200 else None


def test_concurrent_documents_are_all_stored_and_the_chain_holds(box, samples):
    work = sample_bodies(box, samples, "61", 24)
    with box.client() as http:
        answers = together([lambda w=w: post_archive(http, w[1], w[2]) for w in work])
    assert [ack_of(a)["type_code"] for a in answers] == ["AA"] * len(work)
    for document_id, _frame, document in work:
        assert stored(box, document_id) == document
    verify = box.http.get("/api/v1/audit/verify").json()
    assert verify["ok"] is True and verify["checked"] >= len(work)


@pytest.mark.parametrize("round_", range(3))
def test_one_id_from_many_clients_is_stored_once(box, samples, round_):
    """Exactly one AA; every copy refused with SH-ARC-001 alone, whether it was checked before the winner's
    commit, after it, or between the check's own lookups (see test_store_writer's resend test)."""
    [(document_id, frame, document)] = sample_bodies(box, samples, f"62{round_}", 1)
    with box.client() as http:
        answers = [ack_of(a) for a in together([lambda: post_archive(http, frame, document)] * CLIENTS)]
    assert sorted(a["type_code"] for a in answers) == ["AA"] + ["AE"] * (CLIENTS - 1)
    assert all(codes(a, "E") == ["SH-ARC-001"] for a in answers if a["type_code"] == "AE"), [codes(a, "E") for a in answers]
    assert stored(box, document_id) == document
    assert box.http.get("/api/v1/audit/verify").json()["ok"] is True


def test_racing_new_versions_of_one_parent_one_wins(box):
    signer = (issue_signer(box.pki, "professional", (WORKER.given, WORKER.family, WORKER.registration_number)), "professional")
    client, now = Client(fresh_hetu(date(1979, 4, 5)), "Kilpa", "Asiakas"), datetime.now(timezone.utc)

    def plan(**kwargs):
        return client_document(custodian=HELSINKI, unit=UNIT, author=WORKER, client=client, effective_time=now, **kwargs)

    def message(doc):
        frame = frame_for(doc, sender_oid=HELSINKI.oid, author_person=WORKER.frame_person(), author_org=UNIT.ref())
        return frame, signed_bytes(doc, [signer])

    with KantaClient(box.url) as kanta:
        v1 = plan()
        assert kanta.archive(*message(v1)).ack == "AA"
        rivals = [plan(matter_id=v1.matter.id.root, replaces=replaces_of(v1)) for _ in range(CLIENTS)]
        messages = [message(doc) for doc in rivals]
        answers = together([lambda m=m: kanta.archive(*m) for m in messages])
    assert sorted(a.ack for a in answers) == ["AA"] + ["AE"] * (CLIENTS - 1)
    assert all(a.rule_ids == ["SH-VER-003"] for a in answers if a.ack == "AE"), [a.rule_ids for a in answers]
    winner = rivals[[a.ack for a in answers].index("AA")]
    history = box.http.get(f"/api/v1/registers/{HELSINKI.oid}/documents/{v1.document_id}/history").json()
    assert history["current"] == winner.document_id
    assert [v["status"] for v in history["versions"]] == ["replaced", "active"]


def test_acknowledged_documents_survive_sigkill(box, samples):
    work = sample_bodies(box, samples, "63", 16)
    with box.client() as http:
        answers = together([lambda w=w: post_archive(http, w[1], w[2]) for w in work])
    acknowledged = [w for w, a in zip(work, answers) if ack_of(a)["type_code"] == "AA"]
    assert len(acknowledged) == len(work)
    box.restart(kill=True)  # SIGKILL straight after the last answer
    for document_id, _frame, document in acknowledged:
        assert stored(box, document_id) == document
    assert box.http.get("/api/v1/audit/verify").json()["ok"] is True
