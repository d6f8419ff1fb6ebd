"""What leaves the store: its own exceptions, never a driver's; the whole schema, whatever was imported."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from mock_kanta.audit.service import AuditEvent, AuditLog
from mock_kanta.store import ConstraintViolation, SchemaMismatch, Store, StoreUnavailable, UnknownTenant
from mock_kanta.store.queries import traffic

AT = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
MATTER = {"matter_id": "1.2.3.4", "organiser_oid": "1.2.246.10.1", "client_id": "010180-9617", "source": "test"}


def test_a_write_for_a_missing_tenant_is_a_constraint_violation_and_writes_nothing(store):
    writes = [
        lambda: store.set_clock("gone", 0, "2026-11-02T08:00:00+00:00"),
        lambda: store.set_rule_mode("gone", "SH-REG", "report-only"),
        lambda: store.set_verdict_profile("gone", True, ()),
        lambda: store.add_matter("gone", MATTER),
        lambda: store.set_tenant_seed("gone", 5, 9),
        lambda: AuditLog(store).record("gone", AuditEvent("read", "ok", at=AT)),
        lambda: traffic.write(store, {"tenant_id": "gone", "at": "x", "recorded_at": "x", "channel": "validate",
                                      "verdict": "valid", "rule_ids": "[]", "stored": False, "truncated": False}),
    ]
    for write in writes:
        with pytest.raises(ConstraintViolation) as caught:
            write()
        assert caught.value.tenant_missing and "FOREIGN KEY" in str(caught.value)
    assert store.clock("gone") is None and store.matters("gone") == [] and AuditLog(store).events("gone") == ([], 0)


def test_a_transaction_is_all_or_nothing(store):
    with pytest.raises(ConstraintViolation), store.transaction() as tx:
        store.add_matter("t1", MATTER, tx)
        store.add_matter("gone", MATTER, tx)
    assert store.matters("t1") == []
    store.add_matter("t1", MATTER)
    store.add_matter("t1", dict(MATTER, source="again"))  # known already: kept as it was
    assert [m["source"] for m in store.matters("t1")] == ["test"]


def test_a_database_locked_past_the_busy_timeout_is_unavailable_and_nothing_is_kept(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/locked.sqlite3")
    store.create_schema()
    store.ensure_tenant("t1")
    store.hot.connection().execute("PRAGMA busy_timeout=50")  # this thread's connection: wait 50 ms, not 5 s
    other = sqlite3.connect(f"{tmp_path}/locked.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with pytest.raises(StoreUnavailable, match="locked"):
            AuditLog(store).record("t1", AuditEvent("read", "ok", at=AT))
    finally:
        other.execute("ROLLBACK")
    assert AuditLog(store).events("t1") == ([], 0)
    assert AuditLog(store).record("t1", AuditEvent("read", "ok", at=AT)).prev_hash == ""  # the lock gone, it works


def test_tenants_made_twice_and_missing_ones(store):
    assert store.ensure_tenant("t1") is False
    with pytest.raises(UnknownTenant):
        store.view("gone")
    with pytest.raises(UnknownTenant):
        store.reset_tenant("gone")


def test_another_schema_version_is_refused(store):
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE schema_info SET version = 1"))
    with pytest.raises(SchemaMismatch, match="schema version 1"):
        store.create_schema()


def test_the_schema_is_whole_with_nothing_but_the_store_imported(tmp_path):
    """Every area's tables are created by `create_schema` in a process that imported no area module."""
    script = (f"from mock_kanta.store import Store\ns = Store('sqlite:///{tmp_path}/fresh.sqlite3')\ns.create_schema()\n"
              "import json, sys\nfrom sqlalchemy import inspect\n"
              "print(json.dumps(sorted(inspect(s.engine).get_table_names())))\n"
              "print(json.dumps(sorted(m for m in sys.modules if m.startswith('mock_kanta.')"
              " and not m.startswith(('mock_kanta.store', 'mock_kanta.core')))))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.splitlines()
    tables, areas = map(json.loads, out)
    assert tables == ["access_generation", "access_tokens", "alembic_version", "audit_anchors", "audit_events", "clocks", "documents", "faults", "guardians", "jobs", "matters", "organisations",
                            "register_rights", "rehearsal_sessions", "rule_modes", "schema_info", "service_units",
                            "tenant_seeds", "tenants", "traffic", "traffic_marks", "trainer_requests", "trainer_runs",
                            "trainer_steps", "verdict_profiles"]
    assert areas == []
