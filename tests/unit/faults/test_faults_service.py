"""The faults service on a real SQLite store: what a fault may be, the count-down across worker processes, the
per-process cache following the tenant's generation, and a reset clearing the faults."""
from __future__ import annotations

import subprocess
import sys

import pytest

from mock_kanta.faults.service import Faults, parse
from mock_kanta.store import Store, UnknownTenant


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path}/faults.sqlite3")
    s.create_schema()
    s.ensure_tenant("t1")
    s.ensure_tenant("t2")
    return s


def test_a_fault_is_parsed_into_its_columns():
    assert parse({"kind": "delay", "delayMs": 500, "jitterMs": 100, "endpoint": "archive", "when": "after", "count": 2}) == {
        "kind": "delay", "endpoint": "archive", "when_": "after", "message_type": None, "delay_ms": 500, "jitter_ms": 100,
        "status": None, "ack": None, "code": None, "text": None, "remaining": 2, "probability": None}
    refusal = parse({"kind": "refuse", "code": "SH-SYS-900", "text": "Ei nyt", "messageType": "1.2.246.777.11.2018.1"})
    assert (refusal["ack"], refusal["endpoint"], refusal["message_type"]) == ("AE", "any", "1.2.246.777.11.2018.1")


@pytest.mark.parametrize("spec, why", [
    ({}, "kind is one of"),
    ({"kind": "drop", "extra": 1}, "unknown field"),
    ({"kind": "delay", "delayMs": -1}, "delayMs is an integer"),
    ({"kind": "delay", "delayMs": True}, "delayMs is an integer"),
    ({"kind": "status", "status": 302}, "status is an integer from 400"),
    ({"kind": "refuse", "code": "bad code!", "text": "x"}, "code is required"),
    ({"kind": "refuse", "code": "SH-1", "text": "x\x00"}, "text is required"),
    ({"kind": "drop", "count": 0}, "count is an integer from 1"),
    ({"kind": "drop", "probability": 1.5}, "probability is a number"),
    ({"kind": "drop", "endpoint": "fax"}, "endpoint is one of"),
    ({"kind": "drop", "messageType": ""}, "messageType"),
])
def test_a_bad_fault_is_named(spec, why):
    with pytest.raises(ValueError, match=why):
        parse(spec)


_FIRE = """
import sys
from mock_kanta.store import Store
from mock_kanta.store.queries import faults as rows
store = Store(sys.argv[1])
print(sum(rows.fire(store, "t1", sys.argv[2], counted=True) for _ in range(int(sys.argv[3]))))
"""


def test_a_count_is_spent_exactly_once_across_worker_processes(store, tmp_path):
    fault = Faults(store).add("t1", {"kind": "drop", "count": 7})
    url = f"sqlite:///{tmp_path}/faults.sqlite3"
    workers = [subprocess.Popen([sys.executable, "-c", _FIRE, url, fault["id"], "6"], stdout=subprocess.PIPE, text=True)
               for _ in range(3)]
    fired = sum(int(w.communicate(timeout=120)[0]) for w in workers)
    assert fired == 7
    [listed] = Faults(store).listed("t1")
    assert (listed["count"], listed["fired"]) == (0, 7)


def test_the_cache_follows_the_generation_and_a_spent_fault_is_dropped(store):
    faults = Faults(store)
    assert faults.due("t1", store.generation("t1"), "archive", b"<x/>") is None
    faults.add("t1", {"kind": "status", "status": 503, "endpoint": "archive", "count": 1})
    assert faults.due("t1", store.generation("t1"), "query", b"<x/>") is None  # another endpoint
    assert faults.due("t1", store.generation("t1"), "archive", b"<x/>").status == 503
    assert faults.due("t1", store.generation("t1"), "archive", b"<x/>") is None  # spent
    assert faults.due("t2", store.generation("t2"), "archive", b"<x/>") is None  # another tenant


def test_a_message_type_must_occur_in_the_message(store):
    faults = Faults(store)
    faults.add("t1", {"kind": "drop", "messageType": "1.2.246.777.11.2018.1"})
    assert faults.due("t1", store.generation("t1"), "archive", b"<templateId root='1.2.246.777.11.2018.2'/>") is None
    assert faults.due("t1", store.generation("t1"), "archive", b"<templateId root='1.2.246.777.11.2018.1'/>").kind == "drop"


def test_a_reset_clears_the_faults_and_an_unknown_tenant_is_refused(store):
    faults = Faults(store)
    faults.add("t1", {"kind": "drop"})
    store.reset_tenant("t1")
    assert faults.listed("t1") == []
    with pytest.raises(UnknownTenant):
        faults.add("nobody", {"kind": "drop"})
