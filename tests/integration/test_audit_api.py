"""The access log over the control API (/api/v1/audit) of a real server.

The events are recorded with AuditLog on the server's own SQLite file (both processes share
it); each test has its own tenant, so events other tests cause do not mix in.
"""
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from mock_kanta.audit.service import AuditEvent, AuditLog
from mock_kanta.store import Store

X, Y = "180418A903L", "200111A904P"  # the samples' test clients
ORG, UNIT = "1.2.246.10.2012566.10.40", "1.2.246.10.2012566.10.40006775"


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def store(sandbox):
    s = Store(sandbox.database_url)
    s.create_schema()  # adds the audit tables should the server not have made them
    return s


@pytest.fixture
def tenant(store, sandbox):
    """A fresh tenant: its name and the header choosing it."""
    name = f"audit-{uuid.uuid4().hex[:8]}"
    store.ensure_tenant(name)
    yield name, {"X-Mock-Kanta-Tenant": name}
    sandbox.http.delete("/api/v1/clock", headers={"X-Mock-Kanta-Tenant": name})


def event(action="read", client=X, at="2026-05-01T08:00:00", **kw) -> AuditEvent:
    return AuditEvent(action, "ok", at=utc(at), client_id=client, person_id="25199990011", organisation_oid=ORG,
                      unit_oid=UNIT, usage_situation="1", **kw)


def test_events_are_listed_newest_first_and_filtered(store, sandbox, tenant):
    name, headers = tenant
    log = AuditLog(store)
    first = log.record(name, event(document_ids=("1.2.3.1",)))
    second = log.record(name, event("search", at="2026-05-02T08:00:00"))
    third = log.record(name, event(client=Y, at="2026-05-03T08:00:00", card_serial="1228e0c6", rule_ids=("SH-REG-004",)))

    page = sandbox.http.get("/api/v1/audit/events", headers=headers).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 50, 0)
    assert [e["seq"] for e in page["events"]] == [third.seq, second.seq, first.seq]
    assert page["events"][0] == {
        "seq": third.seq, "at": "2026-05-03T08:00:00+00:00", "recordedAt": third.recorded_at.isoformat(), "action": "read",
        "outcome": "ok", "personId": "25199990011", "cardSerial": "1228e0c6", "cardSubject": None, "organisationOid": ORG,
        "unitOid": UNIT, "usageSituation": "1", "clientId": Y, "documentIds": [], "ruleIds": ["SH-REG-004"], "detail": None,
        "prevHash": second.hash, "hash": third.hash,
    }

    def seqs(**params):
        return [e["seq"] for e in sandbox.http.get("/api/v1/audit/events", params=params, headers=headers).json()["events"]]

    assert seqs(client=X) == [second.seq, first.seq]
    assert seqs(action="search") == [second.seq]
    assert seqs(limit=1, offset=1) == [second.seq]
    assert sandbox.http.get("/api/v1/audit/events", params={"limit": 0}, headers=headers).status_code == 400


def test_verify_reports_the_intact_chain(store, sandbox, tenant):
    name, headers = tenant
    log = AuditLog(store)
    last = [log.record(name, event(at=f"2026-05-0{i}T08:00:00")) for i in range(1, 4)][-1]
    assert sandbox.http.get("/api/v1/audit/verify", headers=headers).json() == {
        "ok": True, "checked": 3, "tenant": None, "brokenSeq": None, "problem": None, "detail": None,
        "heads": {name: {"seq": last.seq, "hash": last.hash}},
    }


def test_verify_finds_a_tampered_row(store, sandbox, tenant):
    name, headers = tenant
    log = AuditLog(store)
    events = [log.record(name, event(at=f"2026-05-0{i}T08:00:00")) for i in range(1, 4)]
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET client_id = :y WHERE seq = :seq"), {"y": Y, "seq": events[1].seq})
    result = sandbox.http.get("/api/v1/audit/verify", headers=headers).json()
    assert (result["ok"], result["tenant"], result["brokenSeq"], result["problem"], result["checked"]) == (
        False, name, events[1].seq, "changed", 1)


def test_the_clients_log_request(store, sandbox, tenant):
    name, headers = tenant
    http = sandbox.http
    assert http.post("/api/v1/organisations", json={"oid": ORG, "name": "Helsingin sosiaali- ja terveystoimi", "kind": "organiser"},
                     headers=headers).status_code == 201
    http.put("/api/v1/clock", json={"time": "2026-11-01T12:00:00Z", "frozen": True}, headers=headers).raise_for_status()
    log = AuditLog(store)
    log.record(name, event(at="2024-01-01T08:00:00"))  # more than two years back
    recent = log.record(name, event(at="2025-01-01T08:00:00", document_ids=("1.2.3.7",)))
    log.record(name, event(client=Y, at="2026-01-01T08:00:00"))  # another client

    r = http.get(f"/api/v1/audit/clients/{X}/log", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["clientId"], body["since"], body["until"]) == (X, "2024-11-01T12:00:00.000000+00:00", "2026-11-01T12:00:00.000000+00:00")
    assert body["entries"] == [{
        "at": "2025-01-01T08:00:00+00:00", "action": "read", "outcome": "ok", "personId": "25199990011", "cardSubject": None,
        "organisationOid": ORG, "organisationName": "Helsingin sosiaali- ja terveystoimi", "unitOid": UNIT, "unitName": None,
        "usageSituation": "1", "documentIds": ["1.2.3.7"],
    }]
    request = body["request"]
    assert (request["action"], request["clientId"], request["at"], request["prevHash"]) == (
        "log-request", X, "2026-11-01T12:00:00+00:00", log.events(name, client_id=Y)[0][0].hash)

    older = http.get(f"/api/v1/audit/clients/{X}/log", params={"since": "2023-01-01", "until": "2024-12-31"}, headers=headers).json()
    assert [e["at"] for e in older["entries"]] == ["2024-01-01T08:00:00+00:00"]
    assert older["until"] == "2024-12-31T23:59:59.999999+00:00"
    logged = http.get("/api/v1/audit/events", params={"action": "log-request"}, headers=headers).json()
    assert logged["total"] == 2 and [e["clientId"] for e in logged["events"]] == [X, X]
    assert recent.seq < logged["events"][1]["seq"]

    bad = http.get(f"/api/v1/audit/clients/{X}/log", params={"since": "last year"}, headers=headers)
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert "since 'last year'" in bad.json()["detail"]
    backwards = http.get(f"/api/v1/audit/clients/{X}/log", params={"since": "2026-01-01", "until": "2025-01-01"}, headers=headers)
    assert backwards.status_code == 400 and "is after until" in backwards.json()["detail"]


def test_purge_keeps_the_chain_verifiable_and_is_logged(store, sandbox, tenant):
    name, headers = tenant
    http = sandbox.http
    http.put("/api/v1/clock", json={"time": "2040-01-01T00:00:00Z", "frozen": True}, headers=headers).raise_for_status()
    log = AuditLog(store)
    old = log.record(name, event(at="2026-05-01T08:00:00"))
    kept = log.record(name, event(at="2039-05-01T08:00:00"))

    body = http.post("/api/v1/audit/purge", headers=headers).json()
    assert (body["cutoff"], body["purged"], body["anchorSeq"], body["anchorHash"]) == (
        "2028-01-01T00:00:00.000000+00:00", 1, old.seq, old.hash)
    assert (body["event"]["action"], body["event"]["at"], body["event"]["prevHash"]) == ("purge", "2040-01-01T00:00:00+00:00", kept.hash)
    listed = http.get("/api/v1/audit/events", headers=headers).json()
    assert [e["seq"] for e in listed["events"]] == [body["event"]["seq"], kept.seq]
    verified = http.get("/api/v1/audit/verify", headers=headers).json()
    assert (verified["ok"], verified["checked"]) == (True, 2)


def test_unknown_tenant(sandbox):
    r = sandbox.http.get("/api/v1/audit/verify", headers={"X-Mock-Kanta-Tenant": "ghost"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
