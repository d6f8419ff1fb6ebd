"""Background jobs against a real `mock-kanta serve`: seeding a tenant is a job, not work inside a request.

A tenant made with 5,000 clients answers 202 at once; while its job seeds, /healthz and another tenant's archive
answer (the job is still unfinished after their answers); the job ends done with every client there. A job
whose server was killed is failed when read after the restart. A reset of a seeded tenant seeds it again as a job.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from mock_kanta.client import KantaClient
from mock_kanta.jobs.service import OWNER_DIED
from mock_kanta.store import Store
from tests.conftest import Sandbox
from tests.integration.test_tenants import WHEN, create, finished, fresh_id, relationship, seed_job
from tests.parties import KEUSOTE
from tests.signing import issue_signer


@pytest.fixture(scope="module")
def store(sandbox) -> Store:
    return Store(sandbox.database_url)


@pytest.fixture(scope="module")
def keusote(sandbox):
    return (issue_signer(sandbox.pki, "system", (KEUSOTE.name, KEUSOTE.oid), days=700,
                         start=datetime(2026, 1, 1, tzinfo=timezone.utc)), "system")


def test_a_tenant_with_5000_clients_answers_at_once_and_the_sandbox_serves_while_it_seeds(sandbox, store, keusote):
    http, other, big = sandbox.http, fresh_id("busy"), fresh_id("big")
    assert create(http, other).status_code == 201
    fixture_matters = len(store.matters(other))

    r = create(http, big, seed={"clients": 5000, "seed": 77})
    job = seed_job(r)
    assert job["total"] == 5000 and job["params"] == {"clients": 5000, "seed": 77}
    assert http.get(f"/api/v1/tenants/{big}").json()["seed"] == {"clients": 5000, "seed": 77}  # there at once

    assert http.get("/healthz").json()["status"] == "ok"
    with KantaClient(sandbox.url, tenant=other) as kanta:
        kanta.clock_set(WHEN, frozen=True)
        assert kanta.archive(*relationship(keusote)[1:]).ack == "AA"
    during = http.get(job["location"]).json()
    assert during["state"] in ("queued", "running") and during["done"] < 5000, "answered while the seed was loading"

    done = finished(http, job["location"])
    assert done["state"] == "done", done
    assert (done["done"], done["error"]) == (5000, None) and done["startedAt"] and done["finishedAt"]
    assert any(line.startswith("clients: 5000") for line in done["lines"])
    assert len(store.matters(big)) == fixture_matters + 5000  # one matter per client
    assert [j["id"] for j in http.get(f"/api/v1/jobs/{big}").json()] == [job["id"]]


def test_a_reset_seeds_again_as_a_job_and_removes_the_earlier_jobs(sandbox, store):
    http, tenant = sandbox.http, fresh_id("reseed")
    first = finished(http, seed_job(create(http, tenant, seed={"clients": 3, "seed": 8}))["location"])
    assert first["state"] == "done"
    made = sorted(m["matter_id"] for m in store.matters(tenant))

    again = seed_job(http.post(f"/api/v1/tenants/{tenant}/reset"))
    assert finished(http, again["location"])["state"] == "done"
    assert sorted(m["matter_id"] for m in store.matters(tenant)) == made
    assert http.get(first["location"]).status_code == 404  # the reset removed it


def test_unknown_jobs_and_tenants_are_404(sandbox):
    http = sandbox.http
    assert http.get("/api/v1/jobs/default/job-000000000000").status_code == 404
    assert http.get("/api/v1/jobs/default/not-a-job").status_code == 404
    assert http.get(f"/api/v1/jobs/{fresh_id('none')}").status_code == 404
    assert http.get(f"/api/v1/jobs/{fresh_id('none')}/job-000000000000").status_code == 404


def test_a_job_whose_server_was_killed_is_failed_after_the_restart(tmp_path):
    box = Sandbox(tmp_path / "var")
    box.start()
    try:
        r = box.http.post("/api/v1/tenants", json={"id": "killed", "seed": {"clients": 5000, "seed": 3}})
        job = seed_job(r)
        while box.http.get(job["location"]).json()["done"] == 0:  # killed while it seeds
            time.sleep(0.1)
        box.restart(kill=True)
        after = box.http.get(job["location"]).json()
        assert (after["state"], after["error"]) == ("failed", OWNER_DIED)
        assert 0 < after["done"] < 5000 and after["finishedAt"]
        assert box.http.get("/api/v1/tenants/killed").status_code == 200  # the tenant stays (a reset seeds it again)
    finally:
        box.stop()
