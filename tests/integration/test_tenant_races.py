"""Tenants under concurrent use, against a real `mock-kanta serve`: resets at once, a reset while
archiving, a delete while a scenario runs. No 500, and afterwards the tenant is whole: the
fixtures once each, the seed once, an access log whose chain verifies (or no tenant at all)."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest

from mock_kanta.client.sender import _frame_bytes
from mock_kanta.settings import Settings
from mock_kanta.store import Store
from mock_kanta.tenants.service import load_fixture_matters, load_fixture_organisations
from tests.helpers import post_archive
from tests.integration.test_tenants import WHEN, create, finished, fresh_id, header, relationship, seed_job
from tests.parties import KEUSOTE
from tests.signing import issue_signer

TENANTS = "/api/v1/tenants"


@pytest.fixture(scope="module")
def store(sandbox) -> Store:
    return Store(sandbox.database_url)


@pytest.fixture(scope="module")
def keusote(sandbox):
    return (issue_signer(sandbox.pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700,
                         start=datetime(2026, 1, 1, tzinfo=timezone.utc)), "system")


def whole(store: Store, tenant: str) -> dict:
    """What a freshly reset tenant has: its fixture organisations, units and matters (each once)."""
    orgs = [o["oid"] for o in store.organisations(tenant)]
    matters = [m["matter_id"] for m in store.matters(tenant)]
    return {"organisations": sorted(orgs), "matters": sorted(matters)}


def fixtures() -> dict:
    orgs, _ = load_fixture_organisations(Settings())
    return {"organisations": sorted(o["oid"] for o in orgs),
            "matters": sorted(m["matter_id"] for m in load_fixture_matters(Settings()))}


def verify_log(http, tenant: str) -> dict:
    r = http.get("/api/v1/audit/verify", headers=header(tenant))
    assert r.status_code == 200, r.text
    return r.json()


def test_four_resets_of_one_tenant_at_once_leave_it_whole(sandbox, store):
    tenant = fresh_id("race")
    assert create(sandbox.http, tenant).status_code == 201
    before = whole(store, tenant)
    assert before == fixtures()

    def reset(_):
        with sandbox.client() as http:
            return http.post(f"{TENANTS}/{tenant}/reset")

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(reset, range(4)))
    assert [r.status_code for r in answers] == [200] * 4, [r.text for r in answers]
    assert whole(store, tenant) == before
    assert verify_log(sandbox.http, tenant)["ok"] is True


def test_a_seeded_tenant_reset_twice_at_once_is_seeded_once(sandbox, store):
    tenant = fresh_id("race")
    assert finished(sandbox.http, seed_job(create(sandbox.http, tenant, seed={"clients": 3, "seed": 5}))["location"])["state"] == "done"
    clients = sorted(m["client_id"] for m in store.matters(tenant))
    rights = sum(len(store.rights(tenant, c)) for c in set(clients))

    def reset(_):
        with sandbox.client() as http:
            return http.post(f"{TENANTS}/{tenant}/reset")

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(reset, range(2)))
    assert [r.status_code for r in answers] == [202, 202], [r.text for r in answers]
    found = [sandbox.http.get(r.json()["job"]["location"]) for r in answers]
    assert sorted(r.status_code for r in found) == [200, 404]  # the later reset removed the earlier one's job
    (kept,) = (r.json() for r in found if r.status_code == 200)
    assert finished(sandbox.http, kept["location"])["state"] == "done"
    assert sorted(m["client_id"] for m in store.matters(tenant)) == clients  # seeded once, not twice
    assert sum(len(store.rights(tenant, c)) for c in set(clients)) == rights


def test_a_reset_while_archiving_answers_every_message_and_leaves_the_tenant_whole(sandbox, store, keusote):
    tenant = fresh_id("race")
    assert create(sandbox.http, tenant).status_code == 201
    stop = threading.Event()
    statuses: list[int] = []

    def archive_loop():
        with httpx.Client(base_url=sandbox.url, timeout=30) as http:
            while not stop.is_set():
                http.put("/api/v1/clock", json={"time": WHEN.isoformat(), "frozen": True}, headers=header(tenant))
                _, frame, signed = relationship(keusote)
                statuses.append(post_archive(http, _frame_bytes(frame), signed, tenant=tenant).status_code)

    workers = [threading.Thread(target=archive_loop) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        time.sleep(0.5)
        for _ in range(3):
            r = sandbox.http.post(f"{TENANTS}/{tenant}/reset")
            assert r.status_code == 200, r.text
            time.sleep(0.3)
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)
    assert statuses and 500 not in statuses, statuses
    assert whole(store, tenant) == fixtures()
    assert verify_log(sandbox.http, tenant)["ok"] is True
    r = sandbox.http.post(f"{TENANTS}/{tenant}/reset")  # and a last reset leaves nothing behind
    assert r.status_code == 200
    registers = sandbox.http.get("/api/v1/registers", headers=header(tenant)).json()["registers"]
    assert sum(x["documents"] for x in registers) == 0


def test_deleting_a_tenant_while_archiving_leaves_nothing_of_it(sandbox, store, keusote):
    tenant = fresh_id("race")
    assert create(sandbox.http, tenant).status_code == 201
    stop = threading.Event()
    statuses: list[int] = []

    def archive_loop():
        with httpx.Client(base_url=sandbox.url, timeout=30) as http:
            while not stop.is_set():
                _, frame, signed = relationship(keusote)
                statuses.append(post_archive(http, _frame_bytes(frame), signed, tenant=tenant).status_code)

    sandbox.http.put("/api/v1/clock", json={"time": WHEN.isoformat(), "frozen": True}, headers=header(tenant))
    workers = [threading.Thread(target=archive_loop) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        time.sleep(0.8)
        assert sandbox.http.delete(f"{TENANTS}/{tenant}").status_code == 204
        time.sleep(0.5)
    finally:
        stop.set()
        for w in workers:
            w.join(timeout=60)
    assert statuses and 500 not in statuses, statuses
    assert sandbox.http.get(f"{TENANTS}/{tenant}").status_code == 404
    # made again under the same id, it starts empty: no document archived during the delete survived it
    assert create(sandbox.http, tenant).status_code == 201
    registers = sandbox.http.get("/api/v1/registers", headers=header(tenant)).json()["registers"]
    assert sum(x["documents"] for x in registers) == 0
    assert verify_log(sandbox.http, tenant)["ok"] is True


def test_deleting_the_tenant_during_a_scenario_run_fails_the_run_cleanly(sandbox, tmp_path):
    tenant = fresh_id("race")
    assert create(sandbox.http, tenant).status_code == 201
    run = subprocess.Popen(
        [sys.executable, "-m", "mock_kanta.cli", "scenario", "run", "register-usage-right-test", "--target", sandbox.url,
         "--data-dir", str(sandbox.data_dir), "--tenant", tenant, "--json", str(tmp_path / "report.json")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # delete once the run has started sending
        traffic = sandbox.http.get("/api/v1/traffic", headers=header(tenant))
        if traffic.status_code == 200 and traffic.json()["items"]:
            break
        time.sleep(0.05)
    assert sandbox.http.delete(f"{TENANTS}/{tenant}").status_code == 204
    out, err = run.communicate(timeout=180)
    text = err.decode("utf-8", "replace")
    assert "Traceback" not in text, text
    assert run.returncode == 1, text  # a failed scenario, reported
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    failed = [i for c in report["cases"] for i in c["items"] if i["status"] not in ("passed", "skipped")]
    print([(i["name"], i["status"], i["why"]) for i in failed])
    assert failed and tenant in failed[0]["why"], failed  # the failed step says the tenant is gone
    assert sandbox.http.get(f"{TENANTS}/{tenant}").status_code == 404
