"""`mock-kanta serve` seeds the default tenant on its first start; a reset brings that same data back."""
from __future__ import annotations

import json

import pytest

from tests.conftest import Sandbox
from tests.integration.test_tenants import finished, seed_job

CLIENTS = 6


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    box = Sandbox(tmp_path_factory.mktemp("demo") / "data", args=["--demo-clients", str(CLIENTS), "--demo-seed", "7"])
    box.start()
    yield box
    box.stop()


def _people(box) -> list[dict]:
    (path,) = (box.data_dir / "seed").glob(f"people-default-7-{CLIENTS}.json")
    return json.loads(path.read_text(encoding="utf-8"))["clients"]


def _rights(box) -> dict[str, list]:
    out = {}
    for person in _people(box):
        r = box.http.get(f"/api/v1/clients/{person['hetu']}/rights")
        assert r.status_code == 200, r.text
        out[person["hetu"]] = sorted(json.dumps({k: v for k, v in x.items() if k not in ("createdAt", "grantedAt")}, sort_keys=True)
                                     for x in r.json()["rights"])
    return out


def test_first_start_seeds_the_default_tenant_once(demo):
    tenant = demo.http.get("/api/v1/tenants/default").json()
    assert tenant["seed"] == {"clients": CLIENTS, "seed": 7}
    people = _people(demo)
    assert len(people) == CLIENTS and all(900 <= int(p["hetu"][7:10]) <= 999 for p in people)
    matters = [demo.http.get(f"/api/v1/clients/{p['hetu']}/matters").json()["matters"] for p in people]
    assert all(m for m in matters), "every demo client has a matter"
    before = _rights(demo)
    assert any(before.values()), "the demo organisers grant providers register usage rights"
    demo.restart()  # a second start does not seed again
    assert _rights(demo) == before


def test_reset_brings_the_demo_data_back(demo):
    before = _rights(demo)
    hetu = _people(demo)[0]["hetu"]
    matters_before = demo.http.get(f"/api/v1/clients/{hetu}/matters").json()["matters"]
    organiser = matters_before[0]["organiserOid"]
    r = demo.http.post("/api/v1/matters", json={"matterId": "1.2.246.10.99.95.2026.9.9", "organiserOid": organiser, "clientId": hetu})
    assert r.status_code == 201, r.text
    assert demo.http.put("/api/v1/clock", json={"time": "2026-09-01T09:00:00+03:00", "frozen": True}).status_code == 200
    r = demo.http.post("/api/v1/tenants/default/reset")
    job = finished(demo.http, seed_job(r)["location"])  # the reset seeds again, in a background job
    assert job["state"] == "done" and job["lines"], job
    ids = lambda ms: sorted(m["matterId"] for m in ms)  # noqa: E731
    assert ids(demo.http.get(f"/api/v1/clients/{hetu}/matters").json()["matters"]) == ids(matters_before)
    assert demo.http.get("/api/v1/clock").json()["mode"] == "real"
    assert _rights(demo) == before
