"""The trainer's runs in the store (queries/trainer.py), on a real SQLite file reached both ways: a run made with
its steps, clicks queued in order, the owner's results and heartbeat, a run over or gone taking no click, a
tenant's runs invisible to another, and a tenant's reset or deletion removing its runs."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from mock_kanta.store.queries import trainer as rows
from mock_kanta.store.tables import trainer_requests, trainer_runs, trainer_steps

FINAL = ("finished", "stopped", "error", "expired")
AT = "2026-11-02T08:00:00.000+00:00"


def make(store, tenant: str, run_id: str, created_at: str = AT, steps: int = 3) -> None:
    row = {"tenant_id": tenant, "id": run_id, "scenario": "deployment-test", "lang": "fi",
           "titles_json": '{"fi": "Otsikko", "sv": "Rubrik", "en": "Title"}', "owner_host": "here", "owner_pid": 1,
           "owner_pid_ns": None, "status": "preparing", "created_at": created_at, "updated_at": created_at,
           "alive_at": 1000.0, "asked": 0, "handled": 0, "done": 0, "total": steps}
    rows.create_run(store, row, [{"position": i, "number": i + 1, "label": f"step{i + 1}", "kind": "archive",
                                  "titles_json": None} for i in range(steps)])


def count(store, table, tenant: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(table.c.tenant_id == tenant)).scalar()


@pytest.fixture
def two(store):
    """Tenants t1 and t2 with a run each."""
    store.ensure_tenant("t2")
    make(store, "t1", "run-000000000001")
    make(store, "t2", "run-000000000002")
    return store


def test_a_run_is_made_with_its_steps_and_read_back(two):
    run = rows.run(two, "t1", "run-000000000001")
    assert (run["status"], run["asked"], run["handled"], run["total"], run["prepare_json"]) == ("preparing", 0, 0, 3, None)
    assert [(s["position"], s["label"], s["result_json"]) for s in rows.steps(two, "t1", "run-000000000001")] == [
        (0, "step1", None), (1, "step2", None), (2, "step3", None)]
    progress = rows.progress(two, "t1", "run-000000000001")
    assert progress == {"status": "preparing", "asked": 0, "handled": 0, "alive_at": 1000.0, "owner_host": "here",
                        "owner_pid": 1, "owner_pid_ns": None}


def test_a_tenant_sees_only_its_own_runs_newest_first(two):
    make(two, "t1", "run-000000000003", created_at="2026-11-02T09:00:00.000+00:00")
    assert [r["id"] for r in rows.runs(two, "t1", 10)] == ["run-000000000003", "run-000000000001"]
    assert [r["id"] for r in rows.runs(two, "t1", 1)] == ["run-000000000003"]
    assert "prepare_json" not in rows.runs(two, "t1", 1)[0]
    assert rows.run(two, "t1", "run-000000000002") is None and rows.progress(two, "t1", "run-000000000002") is None
    assert rows.steps(two, "t1", "run-000000000002") == []
    assert rows.ask(two, "t1", "run-000000000002", "next", AT, FINAL) is None  # another tenant's run
    assert count(two, trainer_requests, "t2") == 0


def test_clicks_are_queued_in_order_and_taken_one_after_another(two):
    first = rows.ask(two, "t1", "run-000000000001", "next", AT, FINAL)
    second = rows.ask(two, "t1", "run-000000000001", "all", AT, FINAL)
    other = rows.ask(two, "t2", "run-000000000002", "stop", AT, FINAL)
    assert first < second and other > second  # one sequence for every run: a poller waits for its own
    assert rows.run(two, "t1", "run-000000000001")["asked"] == second
    assert rows.next_request(two, "t1", "run-000000000001", 0) == {"seq": first, "action": "next"}
    assert rows.next_request(two, "t1", "run-000000000001", first) == {"seq": second, "action": "all"}
    assert rows.next_request(two, "t1", "run-000000000001", second) is None
    assert [r["action"] for r in rows.requests(two, "t1", "run-000000000001")] == ["next", "all"]


def test_the_owner_writes_its_results_and_heartbeat_in_one_go(two):
    assert rows.save(two, "t1", "run-000000000001", {"status": "ready", "alive_at": 2000.0, "done": 1,
                                                     "prepare_json": '{"status": "passed"}'}, {0: '{"status": "passed"}'})
    run = rows.run(two, "t1", "run-000000000001")
    assert (run["status"], run["alive_at"], run["done"], run["prepare_json"]) == ("ready", 2000.0, 1, '{"status": "passed"}')
    assert [s["result_json"] for s in rows.steps(two, "t1", "run-000000000001")] == ['{"status": "passed"}', None, None]
    assert rows.steps(two, "t2", "run-000000000002")[0]["result_json"] is None


def test_a_run_that_is_over_or_missing_takes_no_click_and_nothing_is_written(two):
    rows.save(two, "t1", "run-000000000001", {"status": "stopped"})
    assert rows.ask(two, "t1", "run-000000000001", "next", AT, FINAL) is None
    assert rows.ask(two, "t1", "run-000000000009", "next", AT, FINAL) is None
    assert count(two, trainer_requests, "t1") == 0 and rows.run(two, "t1", "run-000000000001")["asked"] == 0
    assert rows.save(two, "t1", "run-000000000009", {"status": "ready"}, {0: "{}"}) is False


@pytest.mark.parametrize("remove", ["reset", "delete"])
def test_a_tenants_reset_or_deletion_removes_its_runs_and_only_its(two, remove):
    rows.ask(two, "t1", "run-000000000001", "next", AT, FINAL)
    rows.ask(two, "t2", "run-000000000002", "next", AT, FINAL)

    deleted = two.reset_tenant("t1") if remove == "reset" else two.delete_tenant("t1")

    assert (deleted["trainer_runs"], deleted["trainer_steps"], deleted["trainer_requests"]) == (1, 3, 1)
    assert [count(two, t, "t1") for t in (trainer_runs, trainer_steps, trainer_requests)] == [0, 0, 0]
    assert [count(two, t, "t2") for t in (trainer_runs, trainer_steps, trainer_requests)] == [1, 3, 1]
    assert rows.save(two, "t1", "run-000000000001", {"status": "ready"}) is False  # the owner learns it is gone
