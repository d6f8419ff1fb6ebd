"""The access log on a real SQLite file: the chain, tampering, concurrent writers, client log requests, purge."""
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text

from mock_kanta.archive.service import Archive
from mock_kanta.audit.service import AuditEvent, AuditLog, chain_hash, parse_instant, submission_event
from mock_kanta.core.clock import SandboxClock
from mock_kanta.core.codes import CodeSystems
from mock_kanta.settings import Settings
from mock_kanta.signing.pki import Pki
from mock_kanta.signing.trust import Trust, load_extra_trust
from mock_kanta.store import Store
from mock_kanta.store.tables import audit_events
from tests.conftest import SAMPLES, sample
from tests.helpers import replace_once
from tests.signing import sample_certificates_pem

X, Y = "180418A903L", "200111A904P"  # the samples' test clients
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def utc(text_: str) -> datetime:
    return datetime.fromisoformat(text_).replace(tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path}/mock-kanta.sqlite3")
    s.create_schema()
    for tenant in ("t1", "t2"):
        s.ensure_tenant(tenant)
    return s


@pytest.fixture
def log(store):
    return AuditLog(store)


def read(n: int, **kw) -> AuditEvent:
    return AuditEvent("read", "ok", person_id="25199990011", client_id=X, document_ids=(f"1.2.3.{n}",), detail=f"read {n}", **kw)


def chain(log, tenant="t1", n=5) -> list[AuditEvent]:
    return [log.record(tenant, read(i)) for i in range(n)]


def sql(store, statement: str, **params) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(statement), params)


# --- the chain ---------------------------------------------------------------------------------


def test_events_are_chained_per_tenant_and_verify(log):
    first = chain(log, "t1", 3)
    other = log.record("t2", read(9))
    more = chain(log, "t1", 2)
    events = first + more
    assert [e.prev_hash for e in events] == [""] + [e.hash for e in events[:-1]]
    assert other.prev_hash == ""  # each tenant has its own chain
    for e in events:
        assert len(e.hash) == 64 and e.tenant_id == "t1"
    result = log.verify()
    assert (result.ok, result.checked, result.broken_seq) == (True, 6, None)
    assert result.heads == {"t1": {"seq": more[-1].seq, "hash": more[-1].hash}, "t2": {"seq": other.seq, "hash": other.hash}}
    assert log.verify("t1").checked == 5


def test_the_hash_is_sha256_over_the_stored_row(store, log):
    event = log.record("t1", read(1, card_subject="CN=Testinen Sointu 25199990011"))
    with store.engine.connect() as conn:
        row = dict(conn.execute(select(audit_events).where(audit_events.c.seq == event.seq)).one()._mapping)
    assert chain_hash(row) == row["hash"] == event.hash
    assert row["document_ids"] == '["1.2.3.1"]' and row["rule_ids"] == "[]"


def test_the_event_time_is_the_sandbox_clock(store, log):
    SandboxClock(store).set("t1", NOW, frozen=True)
    event = log.record("t1", read(1))
    assert event.at == NOW
    assert abs((event.recorded_at - datetime.now(timezone.utc)).total_seconds()) < 5  # real time


def test_a_changed_row_is_found(store, log):
    events = chain(log)
    sql(store, "UPDATE audit_events SET person_id = '25199990022' WHERE seq = :seq", seq=events[2].seq)
    result = log.verify()
    assert (result.ok, result.tenant, result.broken_seq, result.problem, result.checked) == (False, "t1", events[2].seq, "changed", 2)


def test_a_deleted_row_is_found_after_the_gap(store, log):
    events = chain(log)
    sql(store, "DELETE FROM audit_events WHERE seq = :seq", seq=events[2].seq)
    result = log.verify("t1")
    assert (result.ok, result.broken_seq, result.problem) == (False, events[3].seq, "deleted")
    assert f"between seq {events[1].seq} and seq {events[3].seq}" in result.detail


def test_a_deleted_first_row_is_found(store, log):
    events = chain(log)
    sql(store, "DELETE FROM audit_events WHERE seq = :seq", seq=events[0].seq)
    result = log.verify("t1")
    assert (result.broken_seq, result.problem) == (events[1].seq, "deleted")
    assert "between the start of the log and" in result.detail


def test_a_swapped_order_is_found(store, log):
    events = chain(log)
    a, b = events[2].seq, events[3].seq
    sql(store, "UPDATE audit_events SET seq = -1 WHERE seq = :a", a=a)
    sql(store, "UPDATE audit_events SET seq = :a WHERE seq = :b", a=a, b=b)
    sql(store, "UPDATE audit_events SET seq = :b WHERE seq = -1", b=b)
    result = log.verify("t1")
    assert (result.ok, result.broken_seq, result.problem) == (False, a, "reordered")
    assert result.detail == f"seq {a}: it follows seq {b} in the chain, but comes after seq {events[1].seq}"


def test_outcome_must_be_known(log):
    with pytest.raises(ValueError, match="outcome 'maybe'"):
        log.record("t1", AuditEvent("read", "maybe"))


def test_record_inside_the_callers_transaction(store, log):
    class Boom(Exception):
        pass

    matter = {"matter_id": "1.2.3.99", "organiser_oid": "1.2.246.10.1", "client_id": X, "source": "test"}
    with pytest.raises(Boom), store.transaction() as tx:
        store.add_matter("t1", matter, tx)
        log.record("t1", read(1), within=tx)
        raise Boom
    assert log.events("t1") == ([], 0) and store.matters("t1") == []  # both rolled back together

    with store.transaction() as tx:
        store.add_matter("t1", matter, tx)
        inside = log.record("t1", read(2), within=tx)
    after = log.record("t1", read(3))
    assert after.prev_hash == inside.hash and inside.prev_hash == ""
    assert [m["matter_id"] for m in store.matters("t1")] == ["1.2.3.99"]
    assert log.verify().ok


# --- several worker processes ------------------------------------------------------------------

WORKER = r"""
import sys, time
from pathlib import Path
from mock_kanta.audit.service import AuditEvent, AuditLog
from mock_kanta.store import Store

url, name, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
log = AuditLog(Store(url))
(go.parent / f"ready-{name}").touch()
while not go.exists():
    time.sleep(0.001)
for i in range(count):
    log.record("t1", AuditEvent("read", "ok", person_id=name, detail=str(i)))
    # A pause longer than SQLite's first busy-handler sleeps, so a waiting writer gets its turn
    # (without it one worker can starve the other and the test would not exercise concurrency).
    time.sleep(0.015)
"""


@pytest.mark.parametrize("way", ["direct", "engine"])
def test_two_processes_append_concurrently_without_forking_the_chain(store, log, tmp_path, way):
    """Through raw sqlite3 (the database file's URL), and through SQLAlchemy (the same file opened by URI)."""
    go = tmp_path / "go"
    url = store.url if way == "direct" else f"sqlite:///file:{store.engine.url.database}?uri=true"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, url, name, "200", str(go)]) for name in ("w1", "w2")]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{name}").exists() for name in ("w1", "w2")):  # both imported and connected
        assert time.monotonic() < deadline and all(w.poll() is None for w in workers), "a worker did not start"
        time.sleep(0.01)
    go.touch()
    assert [w.wait(timeout=180) for w in workers] == [0, 0]

    result = log.verify("t1")
    assert (result.ok, result.checked) == (True, 400)
    events, total = log.events("t1", limit=1000)
    events.reverse()  # oldest first
    assert total == 400
    for name in ("w1", "w2"):
        assert [e.detail for e in events if e.person_id == name] == [str(i) for i in range(200)]
    assert len({e.prev_hash for e in events}) == 400  # no two events share a predecessor
    switches = sum(a.person_id != b.person_id for a, b in zip(events, events[1:]))
    assert switches > 1, "the two workers did not interleave: the test did not exercise concurrency"


# --- the client's log request ---------------------------------------------------------------------


def test_client_log_filters_by_client_and_period_and_records_itself(store, log):
    SandboxClock(store).set("t1", NOW, frozen=True)
    log.record("t1", read(1, at=utc("2024-11-01T11:59:59")))  # just over two years back
    edge = log.record("t1", read(2, at=utc("2024-11-01T12:00:00")))  # exactly two years: included
    spring = log.record("t1", read(3, at=utc("2026-05-01T08:00:00")))
    log.record("t1", AuditEvent("read", "ok", client_id=Y, at=utc("2026-05-01T09:00:00")))  # another client
    log.record("t2", read(4, at=utc("2026-05-01T10:00:00")))  # another tenant
    today = log.record("t1", read(5))  # at the (frozen) sandbox now

    result = log.client_log("t1", X)
    assert (result.since, result.until) == (utc("2024-11-01T12:00:00"), NOW)
    assert [e.seq for e in result.entries] == [today.seq, spring.seq, edge.seq]  # newest first
    request = result.request
    assert (request.action, request.outcome, request.client_id, request.at) == ("log-request", "ok", X, NOW)
    assert request.detail == "3 entries from 2024-11-01T12:00:00.000000+00:00 to 2026-11-01T12:00:00.000000+00:00"
    assert request.prev_hash == today.hash  # in the chain like any event

    period = log.client_log("t1", X, since=parse_instant("2026-01-01"), until=parse_instant("2026-06-30", end_of_day=True))
    assert [e.seq for e in period.entries] == [spring.seq]  # and the first request is not listed
    requests, total = log.events("t1", action="log-request")
    assert total == 2 and [r.seq for r in requests] == [period.request.seq, request.seq]
    assert log.verify().ok
    with pytest.raises(ValueError, match="is after until"):
        log.client_log("t1", X, since=NOW, until=utc("2026-01-01T00:00:00"))


def test_parse_instant():
    assert parse_instant("2026-06-30") == utc("2026-06-30T00:00:00")
    assert parse_instant("2026-06-30", end_of_day=True) == utc("2026-06-30T23:59:59.999999")
    assert parse_instant("2026-06-30T12:00:00+03:00") == utc("2026-06-30T09:00:00")
    assert parse_instant("2026-06-30T12:00:00") == utc("2026-06-30T12:00:00")
    with pytest.raises(ValueError):
        parse_instant("yesterday")


# --- retention ------------------------------------------------------------------------------------


def test_purge_removes_the_old_prefix_keeps_the_chain_verifiable_and_is_logged(store, log):
    old = [log.record("t1", read(i, at=utc(at))) for i, at in enumerate(("2026-01-01T00:00:00", "2027-06-01T00:00:00"))]
    kept = log.record("t1", read(3, at=utc("2029-01-01T00:00:00")))
    waiting = log.record("t1", read(4, at=utc("2027-12-31T00:00:00")))  # the clock was moved back: waits for `kept`

    first = log.purge("t1", utc("2040-01-01T00:00:00"))
    assert (first.cutoff, first.purged, first.anchor_seq, first.anchor_hash) == (utc("2028-01-01T00:00:00"), 2, old[1].seq, old[1].hash)
    event = first.event
    assert (event.action, event.outcome, event.at, event.prev_hash) == ("purge", "ok", utc("2040-01-01T00:00:00"), waiting.hash)
    assert event.detail == ("removed 2 events recorded before 2028-01-01T00:00:00.000000+00:00 (retention 12 years [K]); "
                            f"anchor: seq {old[1].seq}")
    events, _ = log.events("t1")
    assert [e.seq for e in events] == [event.seq, waiting.seq, kept.seq]
    assert kept.prev_hash == first.anchor_hash
    assert (log.verify("t1").ok, log.verify("t1").checked) == (True, 3)

    after = log.record("t1", read(5, at=utc("2040-01-02T00:00:00")))
    second = log.purge("t1", utc("2042-01-01T00:00:00"))  # cutoff 2030: kept and waiting are due now
    assert (second.purged, second.anchor_seq) == (2, waiting.seq)
    assert [e.seq for e in log.events("t1")[0]] == [second.event.seq, after.seq, event.seq]
    assert (log.verify("t1").ok, log.verify("t1").checked) == (True, 3)

    sql(store, "UPDATE audit_anchors SET anchor_hash = :h WHERE purged_through_seq = :seq", h="0" * 64, seq=waiting.seq)
    broken = log.verify("t1")
    assert (broken.ok, broken.broken_seq, broken.problem) == (False, event.seq, "deleted")


def test_purge_of_everything_anchors_the_purge_event(log):
    events = chain(log, "t1", 3)  # recorded now (real time)
    result = log.purge("t1", datetime.now(timezone.utc).replace(year=datetime.now().year + 13))
    assert (result.purged, result.anchor_seq) == (3, events[-1].seq)
    assert result.event.prev_hash == events[-1].hash
    assert [e.seq for e in log.events("t1")[0]] == [result.event.seq]
    assert (log.verify().ok, log.verify().checked) == (True, 1)


def test_a_purge_with_nothing_due_is_logged_too(store, log):
    SandboxClock(store).set("t1", NOW, frozen=True)
    events = chain(log, "t1", 2)
    result = log.purge("t1")
    assert (result.purged, result.anchor_seq, result.cutoff) == (0, None, utc("2014-11-01T12:00:00"))
    assert result.event.detail == "removed 0 events recorded before 2014-11-01T12:00:00.000000+00:00 (retention 12 years [K])"
    assert result.event.prev_hash == events[-1].hash and result.event.at == NOW
    assert log.verify().checked == 3


# --- what the archive records --------------------------------------------------------------------

SAMPLE_TIME = datetime(2026, 7, 17, 10, 10, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    pem = tmp_path_factory.mktemp("trust") / "samples.pem"
    pem.write_bytes(sample_certificates_pem(SAMPLES))
    trust = Trust(Pki.open(tmp_path_factory.mktemp("pki")), load_extra_trust(pem))
    return Archive(Settings(), store=None, codes=CodeSystems.load(), trust=trust)


def test_submission_event_of_a_professional_signed_document(archive):
    parsed = archive.read_parts(sample("asiakassuunnitelma", "frame"), sample("asiakassuunnitelma", "document"), "test")
    findings = archive.check(parsed, at=SAMPLE_TIME)
    event = submission_event("AA", parsed, findings, at=SAMPLE_TIME)
    assert event == AuditEvent(
        "archive", "AA", at=SAMPLE_TIME, person_id="080779-998C", card_serial="1228e0c6",
        card_subject=r"CN=Johansson Angelica 25104559650,SN=Johansson,GN=Angelica,serialNumber=25104559650,title=251 sosionomi\, socionom,C=FI",
        organisation_oid=parsed.frame.sender, unit_oid="1.2.246.10.2012566.10.40006775", usage_situation="1",
        client_id=X, document_ids=("1.2.246.10.2012566.95.2026.688883.2655274",), rule_ids=())


def test_submission_event_of_a_refused_system_signed_document(archive):
    document = replace_once(sample("asiakkuusasiakirja", "document"), b'<ep2:creationTime value="20260717130652+0300"/>',
                            b'<ep2:creationTime value="17.7.2026"/>')  # refused by SH-HDR-014 (basis kanta)
    parsed = archive.read_parts(sample("asiakkuusasiakirja", "frame"), document, "test")
    event = submission_event("AE", parsed, archive.check(parsed, at=SAMPLE_TIME), at=SAMPLE_TIME)
    assert (event.outcome, event.person_id, event.client_id, event.rule_ids) == ("AE", "010714-9983", Y, ("SH-HDR-014",))
    assert event.card_subject.startswith("CN=Potilastietojärjestelmä,serialNumber=1.2.246.10.32213561.10.0,")
    assert event.unit_oid == "1.2.246.10.1246109.10.2001213"


# --- the command line ------------------------------------------------------------------------------


def test_cli_verify_purge_and_log(store, log, tmp_path):
    from click.testing import CliRunner

    from mock_kanta.audit.cli import audit

    store.ensure_tenant("default")
    SandboxClock(store).set("default", NOW, frozen=True)
    events = chain(log, "default", 3)
    run = CliRunner().invoke
    ok = run(audit, ["verify", "--data-dir", str(tmp_path)])
    assert (ok.exit_code, ok.output) == (0, f"audit log intact: 3 event(s) checked (default up to seq {events[-1].seq})\n")

    listed = run(audit, ["log", X, "--data-dir", str(tmp_path), "--since", "2026-11-01"])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == f"client {X}, 2026-11-01T00:00:00.000000+00:00 .. 2026-11-01T12:00:00.000000+00:00: 3 entr(y/ies)"
    assert lines[1] == "2026-11-01T12:00:00+00:00  read        ok      25199990011  org -  unit -  documents 1.2.3.2"
    assert lines[-1] == f"(recorded as event seq {events[-1].seq + 1})"

    purged = run(audit, ["purge", "--data-dir", str(tmp_path)])
    assert purged.exit_code == 0 and "removed 0 events recorded before 2014-11-01T12:00:00.000000+00:00" in purged.output

    sql(store, "UPDATE audit_events SET detail = 'edited' WHERE seq = :seq", seq=events[1].seq)
    broken = run(audit, ["verify", "--data-dir", str(tmp_path), "--tenant", "default"])
    assert broken.exit_code == 1
    assert broken.output.startswith(f"audit log BROKEN in tenant default at seq {events[1].seq} (changed): ")
    assert run(audit, ["verify", "--data-dir", str(tmp_path / "nowhere")]).exit_code == 1  # no database: a clear error
    assert "no tenant ghost" in run(audit, ["purge", "--data-dir", str(tmp_path), "--tenant", "ghost"]).output
