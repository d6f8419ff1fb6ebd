"""With access control on (`serve --auth`), the trainer page's scenario runs work: a trainer signed in through
/ui/login starts a built-in scenario from the trainer page's form and it passes, calling the sandbox with a
trainer token minted for the run (its tenant's, revoked when the run ends). And a tenant's seed job is read by
its own tokens only."""
from __future__ import annotations

import re
import secrets
import time
from contextlib import contextmanager

import httpx
import pytest

from mock_kanta.scenario import trainer
from mock_kanta.store import Store
from mock_kanta.store.queries import trainer as run_rows
from tests.integration.test_tenants import finished, seed_job

RUN_PATH = re.compile(r"/ui/trainer/runs/(run-[0-9a-f]{12})$")
SCENARIO = "deployment-test"


@pytest.fixture(scope="module")
def admin(world):
    with world.client(world.admin) as http:
        yield http


@contextmanager
def signed_in(url: str, token: str):
    """A client holding a session made by the login form, as a browser would post it."""
    with httpx.Client(base_url=url, timeout=90, headers={"Origin": url}) as http:
        form = http.get("/ui/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        r = http.post("/ui/login", data={"csrf": csrf, "token": token, "next": "/ui/trainer"})
        assert r.status_code == 303, r.text
        yield http


def test_a_trainer_signed_in_runs_a_scenario_from_the_trainer_page(world, admin, auth_box):
    tenant = f"trn-auth-{secrets.token_hex(3)}"
    made = admin.post("/api/v1/tenants/", json={"id": tenant, "name": "Trainer under auth"})
    assert made.status_code == 201, made.text
    store = Store(auth_box.database_url)
    with signed_in(world.url, made.json()["tokens"]["trainer"]) as http:
        page = http.get("/ui/trainer")
        assert page.status_code == 200 and tenant in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = http.post("/ui/trainer/runs", data={"csrf": csrf, "tenant": tenant, "scenario": SCENARIO})
        assert r.status_code == 303, r.text
        run_id = RUN_PATH.search(r.headers["location"]).group(1)
        assert trainer.run_of(store, tenant, run_id)["state"] == "ready", trainer.run_of(store, tenant, run_id)["prepare"]

        r = http.post(f"/ui/trainer/runs/{run_id}", data={"csrf": csrf, "tenant": tenant, "action": "all"})
        assert r.status_code == 303, r.text
        trainer.wait(store, tenant, run_id, 180, run_rows.run(store, tenant, run_id)["asked"])
        run = trainer.run_of(store, tenant, run_id)
        assert run["state"] == "finished", run
        assert all(s["result"]["status"] == "passed" for s in run["steps"]), [s["result"] for s in run["steps"]]
        assert 'data-state="finished"' in http.get(f"/ui/trainer/runs/{run_id}").text

    internal = [t for t in admin.get(f"/api/v1/tenants/{tenant}/tokens").json() if run_id in t["label"]]
    assert [t["role"] for t in internal] == ["trainer"]
    deadline = time.monotonic() + 60
    while internal[0]["revokedAt"] is None and time.monotonic() < deadline:  # revoked as its owner ends the run
        time.sleep(0.2)
        internal = [t for t in admin.get(f"/api/v1/tenants/{tenant}/tokens").json() if run_id in t["label"]]
    assert internal[0]["revokedAt"] is not None


def test_a_seed_job_is_read_by_its_own_tenant_s_tokens_only(world, admin):
    tenant = f"job-auth-{secrets.token_hex(3)}"
    made = admin.post("/api/v1/tenants/", json={"id": tenant, "seed": {"clients": 2, "seed": 4}})
    job = seed_job(made)
    assert finished(admin, job["location"])["state"] == "done"
    with world.client(made.json()["tokens"]["viewer"]) as own:
        assert own.get(job["location"]).json()["id"] == job["id"]
        assert [j["id"] for j in own.get(f"/api/v1/jobs/{tenant}").json()] == [job["id"]]
    with world.client(world.a.trainer) as other:
        for path in (job["location"], f"/api/v1/jobs/{tenant}"):
            r = other.get(path)
            assert r.status_code == 403 and job["id"] not in r.text
