"""The store's one write path (mock_kanta/store/writer.py): group commit with per-document savepoints and
the writer thread that batches concurrent submissions, on raw sqlite3 (an SQLite file: the hot path) and
through SQLAlchemy (any other database: here SQLite opened by URI; see conftest.py), with the same rows
read either way.

Real SQLite files in temporary directories; no server process (see tests/integration/test_group_commit.py).
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from mock_kanta.audit.service import AuditEvent, AuditLog, event_row
from mock_kanta.store import ConstraintViolation, DuplicateDocument, PendingDocument, StaleVersion, Store
from mock_kanta.store.queries.documents import DOCUMENT_SUMMARY, VERSIONS
from mock_kanta.store.tables import documents, traffic

CLIENT = "010180-9617"  # artificial (individual number 961)
AT = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


def row(document_id: str, *, set_id: str | None = None, version: int = 1, **extra) -> dict:
    return {"document_id": document_id, "set_id": set_id or document_id, "version": version, "register_oid": "1.2.246.10.1",
            "client_id": CLIENT, "document_group": "5", "received_at": "2026-11-02T08:00:00.000000+00:00", "status": "active",
            "findings_json": "[]", "frame_xml": b"<f/>", "document_xml": b"<d/>", **extra}


def pending(document_id: str, **kwargs) -> PendingDocument:
    parent = kwargs.pop("parent_id", None)
    item = PendingDocument("t1", row(document_id, **kwargs), parent_id=parent, granted_at="2026-11-02T08:00:00+00:00")
    item.audit_row = event_row("t1", AuditEvent("archive", "AA", client_id=CLIENT, document_ids=(document_id,)), AT)
    item.traffic_row = {"tenant_id": "t1", "at": "2026-11-02T08:00:00+00:00", "recorded_at": "x", "channel": "archive",
                        "verdict": "AA", "document_id": document_id, "rule_ids": "[]", "stored": True, "truncated": False}
    return item


def count(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_reads_equal_sqlalchemys(store):
    store.write_documents([pending("1.1", visible_from=date(2026, 12, 2), visibility="delayed"),
                           pending("1.2", set_id="1.1", version=2)])
    [via_sqlalchemy] = store.alchemy.rows(DOCUMENT_SUMMARY, tenant="t1", key="1.1")
    hot = store.document("t1", "1.1", summary=True)
    assert hot == via_sqlalchemy and hot["visible_from"] == date(2026, 12, 2)  # a date, not text
    assert store.versions("t1", "1.1") == store.alchemy.rows(VERSIONS, tenant="t1", key="1.1")
    assert [v["document_id"] for v in store.versions("t1", "1.1")] == ["1.1", "1.2"]
    assert store.generation("t1") == store.tenant("t1")["generation"]
    assert store.generation("nobody") is None


def test_rights_and_matters_written_and_read_back(store):
    item = pending("2.1")
    item.grants = ("rel-1", [{"organiser_oid": "1.2.246.10.1", "client_id": CLIENT, "source_document_id": "2.1",
                              "source_set_id": "2.1", "source_version": 1, "function_code": "11", "unit_oid": "1.2.246.10.1.1",
                              "services_json": "[]", "start_date": date(2026, 9, 1), "end_date": None}])
    item.matter = {"matter_id": "m-1", "organiser_oid": "1.2.246.10.1", "client_id": CLIENT, "source": "2.1"}
    again = pending("2.2")
    again.matter = dict(item.matter, source="2.2")  # already known: kept as it was
    assert all(isinstance(r, int) for r in store.write_documents([item, again]))
    rights = store.rights("t1", CLIENT)
    assert [(r["relationship_id"], r["start_date"], r["replaced_by"]) for r in rights] == [("rel-1", date(2026, 9, 1), None)]
    assert rights == store.rights("t1", CLIENT, include_replaced=True)  # the SQLAlchemy path agrees
    assert store.matter("t1", "m-1")["source"] == "2.1"


def test_one_batch_one_commit_and_each_failure_undoes_only_its_document(store):
    store.write_documents([pending("3.1")])
    results = store.write_documents([
        pending("3.2", set_id="3.1", version=2, parent_id="3.1"),  # a new version of 3.1
        pending("3.1"),  # a resend: the id exists
        pending("3.3", set_id="3.1", version=2, parent_id="3.1"),  # a second new version of 3.1: stale
        pending("3.4"),
    ])
    assert isinstance(results[0], int) and isinstance(results[3], int) and results[3] > results[0]
    assert isinstance(results[1], DuplicateDocument) and results[1].existing["document_id"] == "3.1"
    assert isinstance(results[2], StaleVersion) and results[2].parent_id == "3.1"
    assert store.document("t1", "3.1", summary=True)["replaced_by"] == "3.2"
    assert store.document("t1", "3.3") is None
    assert count(store, documents) == 3 and count(store, traffic) == 3  # the undone ones left nothing
    log = AuditLog(store)
    events, total = log.events("t1")
    assert total == 3 and [e.document_ids for e in reversed(events)] == [("3.1",), ("3.2",), ("3.4",)]
    assert log.verify("t1").ok  # the chain links over the undone events


def test_the_chain_links_the_write_paths_events_and_other_events(store):
    log = AuditLog(store)
    before = log.record("t1", AuditEvent("read", "ok", at=AT, client_id=CLIENT))
    store.write_documents([pending("4.1")])
    after = log.record("t1", AuditEvent("read", "ok", at=AT, client_id=CLIENT))
    events, _ = log.events("t1")
    middle = events[1]
    assert middle.prev_hash == before.hash and after.prev_hash == middle.hash
    assert log.verify("t1").ok


def test_a_deleted_tenant_is_a_constraint_violation_not_a_duplicate(store):
    item = pending("5.1")
    item.tenant = "gone"
    item.audit_row = None
    [result] = store.write_documents([item])
    assert isinstance(result, ConstraintViolation) and result.tenant_missing


def test_writer_thread_batches_what_queued_meanwhile(store):
    gate, first_running = threading.Event(), threading.Event()
    real_write = store.write_documents

    def gated(batch):  # the real write, held until the test has queued more
        first_running.set()
        gate.wait(10)
        return real_write(batch)

    store.write_documents = gated
    writer = store.writer
    first = writer.submit(pending("6.0"))
    assert first_running.wait(10)
    queued = [writer.submit(pending(f"6.{i}")) for i in range(1, 6)] + [writer.submit(pending("6.1"))]
    gate.set()
    results = [f.result(10) for f in [first, *queued]]
    assert all(isinstance(r, int) for r in results[:6])
    assert isinstance(results[6], DuplicateDocument)
    assert (writer.batches, writer.documents) == (2, 7)  # the first alone, then the six queued behind it
    assert AuditLog(store).verify("t1").ok and count(store, documents) == 6


def refusal(document_id: str) -> PendingDocument:
    """A refused submission's rows only (no document): its access log event and traffic row."""
    item = PendingDocument("t1", None)
    item.audit_row = event_row("t1", AuditEvent("archive", "AE", client_id=CLIENT, document_ids=(document_id,)), AT)
    item.traffic_row = {"tenant_id": "t1", "at": "2026-11-02T08:00:00+00:00", "recorded_at": "x", "channel": "archive",
                        "verdict": "AE", "document_id": document_id, "rule_ids": '["SH-ARC-001"]', "stored": False,
                        "truncated": False}
    return item


def test_refusals_share_the_batch_and_write_only_their_log_rows(store):
    results = store.write_documents([pending("7.1"), refusal("7.1"), pending("7.2"), refusal("7.3")])
    assert isinstance(results[0], int) and isinstance(results[2], int) and results[1] is None and results[3] is None
    assert count(store, documents) == 2 and count(store, traffic) == 4
    log = AuditLog(store)
    assert log.verify("t1").ok and log.verify("t1").checked == 4


def test_a_refusal_for_a_deleted_tenant_is_a_constraint_violation(store):
    item = refusal("8.1")
    item.tenant = item.audit_row["tenant_id"] = item.traffic_row["tenant_id"] = "gone"
    [result] = store.write_documents([item, refusal("8.2")])[:1]
    assert isinstance(result, ConstraintViolation) and result.tenant_missing
    assert count(store, traffic) == 1  # the other refusal's row only


def test_a_resend_stored_between_the_checks_two_lookups_gets_only_sh_arc_001(tmp_path, samples, monkeypatch):
    """The race behind a once-flaky group-commit test: a copy of the same document commits after the check
    looked the id up (not there) and before it looks the set up (there: the copy). The answer is SH-ARC-001
    alone, as for any resend, and not SH-VER-005 besides."""
    from mock_kanta.settings import Settings
    from mock_kanta.wire import soap
    from mock_kanta.wiring import Services
    from tests.helpers import renumber
    from tests.signing import SAMPLE_SIGNERS, issue_signer, resign

    services = Services.start(Settings(data_dir=tmp_path / "data"))
    kind, fields = SAMPLE_SIGNERS["asiakkuusasiakirja"]
    frame, document = renumber(*samples["asiakkuusasiakirja"], "1.2.246.10.32213561.95777.2026.81.1")
    body, content_type = soap.build_multipart(frame, resign(document, [(issue_signer(services.pki, kind, fields), kind)]))
    tenant, archive, lookup = services.settings.default_tenant, services.archive, services.store.versions

    def versions_after_the_copy_commits(tenant_id, set_id):
        monkeypatch.setattr(services.store, "versions", lookup)
        assert archive.archive(tenant, body, content_type).ack == "AA"  # the racing copy, stored now
        return lookup(tenant_id, set_id)

    monkeypatch.setattr(services.store, "versions", versions_after_the_copy_commits)
    outcome = archive.archive(tenant, body, content_type)
    assert services.store.versions is lookup  # the interleaving really happened
    assert outcome.ack == "AE" and [f.rule_id for f in outcome.errors] == ["SH-ARC-001"]
