"""The trainer's scenario runs across worker processes, against a real `mock-kanta serve --workers 2`.

A run is played by a thread of the worker that served "Start" (its owner) and steered through its rows in the
sandbox's database: a click served by the other worker reaches the owner; a run whose owner process died is shown
gone at once and takes no click; a tenant's reset removes its runs; bad input (an unknown run, another tenant's
run, an unknown action) gets a readable 4xx page and changes nothing. Which worker serves a connection is read
from /proc (the worker holding the server side of the connection's socket)."""
from __future__ import annotations

import os
import re
import secrets
import signal
import time
from contextlib import contextmanager, suppress
from http.client import HTTPConnection, HTTPResponse
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from mock_kanta.scenario import trainer
from mock_kanta.store import Store
from mock_kanta.store.queries import trainer as run_rows
from tests.conftest import Sandbox

RUN_PATH = re.compile(r"/ui/trainer/runs/(run-[0-9a-f]{12})$")
SCENARIO = "deployment-test"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    server = Sandbox(tmp_path_factory.mktemp("trainer-runs") / "var", args=["--workers", "2", "--no-demo-cards"])
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def store(box) -> Store:
    return Store(box.database_url)


def new_tenant(box) -> str:
    tenant = f"trn-{secrets.token_hex(4)}"
    r = box.http.post("/api/v1/tenants", json={"id": tenant, "name": "Trainer runs"})
    assert r.status_code == 201, r.text
    return tenant


@pytest.fixture(scope="module")
def tenant(box) -> str:
    return new_tenant(box)


@contextmanager
def form_client(box, tenant: str):
    """A cookie-keeping HTTP client in the tenant with the session's form token, as a browser would be."""
    with httpx.Client(base_url=box.url, cookies={"mk_tenant": tenant}, timeout=90, headers={"Origin": box.url}) as http:
        page = http.get("/ui/trainer")
        assert page.status_code == 200
        http.token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        http.tenant = tenant
        yield http


def start_run(http) -> str:
    r = http.post("/ui/trainer/runs", data={"csrf": http.token, "tenant": http.tenant, "scenario": SCENARIO,
                                            "reset_first": "1"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return RUN_PATH.search(r.headers["location"]).group(1)


def post_click(http, run_id: str, action: str, tenant: str | None = None) -> httpx.Response:
    return http.post(f"/ui/trainer/runs/{run_id}", data={"csrf": http.token, "tenant": tenant or http.tenant,
                                                         "action": action}, follow_redirects=False)


# --- which worker serves a connection --------------------------------------------------------------


def worker_pids(box) -> set[int]:
    """The server's worker processes: the children of its supervisor that serve (not multiprocessing's resource tracker)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rpartition(")")[2].split()[1]) == box.proc.pid \
                    and b"spawn_main" in (stat.parent / "cmdline").read_bytes():
                pids.add(int(stat.parent.name))
    return pids


def serving_pid(box, conn: HTTPConnection) -> int | None:
    """The worker holding the server side of the connection (its socket's inode, from /proc/net/tcp)."""
    client_port = conn.sock.getsockname()[1]
    inodes = {fields[9] for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
              if int(fields[1].split(":")[1], 16) == box.port and int(fields[2].split(":")[1], 16) == client_port}
    for pid in worker_pids(box):
        with suppress(OSError):
            if any(os.readlink(fd) in {f"socket:[{i}]" for i in inodes} for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
    return None


class Connection:
    """One keep-alive connection (http.client: its socket tells which worker took it) with the form client's cookies."""

    def __init__(self, box, http):
        self.box, self.http = box, http
        self.conn = HTTPConnection("127.0.0.1", box.port, timeout=90)

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[HTTPResponse, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.http.cookies.items()), "Origin": self.box.url}
        body = None
        if form is not None:
            body, headers["Content-Type"] = urlencode({"csrf": self.http.token, "tenant": self.http.tenant, **form}), \
                "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        return response, response.read()

    def worker(self) -> int | None:
        return serving_pid(self.box, self.conn)


@contextmanager
def connection_not_to(box, http, pid: int, path: str):
    """A keep-alive connection that another worker than `pid` took (new connections tried one after another)."""
    for _ in range(100):
        connection = Connection(box, http)
        response, _ = connection.send("GET", path)
        assert response.status == 200
        if connection.worker() not in (None, pid):
            try:
                yield connection
            finally:
                connection.conn.close()
            return
        connection.conn.close()
    pytest.fail(f"no connection of 100 was taken by another worker than {pid} ({worker_pids(box)})")


# --- the tests ---------------------------------------------------------------------------------------


def test_a_click_served_by_another_worker_process_is_played_by_the_runs_owner(box, store, tenant):
    with form_client(box, tenant) as http:
        run_id = start_run(http)
        owner = run_rows.progress(store, tenant, run_id)["owner_pid"]
        assert owner in worker_pids(box) and len(worker_pids(box)) == 2
        path = f"/ui/trainer/runs/{run_id}"
        with connection_not_to(box, http, owner, path) as other:
            response, _ = other.send("POST", path, {"action": "next"})
            assert response.status == 303 and other.worker() not in (None, owner)  # the click waited for its result
            run = trainer.run_of(store, tenant, run_id)
            assert run["state"] == "ready" and not run["pending"]
            assert run["steps"][0]["result"]["status"] == "passed" and run["steps"][1]["result"] is None
            response, page = other.send("GET", path)
            assert 'data-step="1" data-status="passed"' in page.decode() and f"1/{run['total']} vaihetta ajettu" in page.decode()

            response, _ = other.send("POST", path, {"action": "all"})
            assert response.status == 303
            asked = run_rows.run(store, tenant, run_id)["asked"]
            trainer.wait(store, tenant, run_id, 120, asked)
        run = trainer.run_of(store, tenant, run_id)
        assert run["state"] == "finished" and run["done"] == run["total"] == len(run["steps"])
        assert all(s["result"]["status"] == "passed" for s in run["steps"])
        assert run_rows.run(store, tenant, run_id)["owner_pid"] == owner  # played by its owner throughout
        assert 'data-state="finished"' in http.get(path).text


def test_a_run_whose_owner_process_died_is_shown_gone_and_takes_no_click(box, store, tenant):
    with form_client(box, tenant) as http:
        run_id = start_run(http)
    owner = run_rows.progress(store, tenant, run_id)["owner_pid"]
    os.kill(owner, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while trainer.run_of(store, tenant, run_id)["state"] != "gone" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert trainer.run_of(store, tenant, run_id)["state"] == "gone"  # at once: no heartbeat timeout waited for

    with form_client(box, tenant) as http:  # the other worker serves (the supervisor starts a new one meanwhile)
        page = http.get(f"/ui/trainer/runs/{run_id}")
        assert page.status_code == 200 and 'data-state="gone"' in page.text
        assert "palvelinprosessi, joka ajoi skenaariota, on pysähtynyt" in page.text
        assert "Seuraava vaihe" not in page.text and "data-refresh-every" not in page.text  # no buttons, no waiting
        r = post_click(http, run_id, "next")
        assert r.status_code == 409 and "päättynyt" in r.text and "Mitään ei muutettu." in r.text
        assert run_rows.requests(store, tenant, run_id) == []
        listed = http.get("/ui/trainer").text
        assert run_id in listed and "on pysähtynyt" in listed


def test_a_tenants_reset_removes_its_runs(box, store):
    tenant = new_tenant(box)
    with form_client(box, tenant) as http:
        run_id = start_run(http)
        assert post_click(http, run_id, "next").status_code == 303

        r = box.http.post(f"/api/v1/tenants/{tenant}/reset")

        assert r.status_code == 200, r.text
        deleted = r.json()["deleted"]
        assert deleted["trainer_runs"] == 1 and deleted["trainer_requests"] == 1 and deleted["trainer_steps"] >= 1
        assert run_rows.run(store, tenant, run_id) is None and run_rows.steps(store, tenant, run_id) == []
        page = http.get(f"/ui/trainer/runs/{run_id}")
        assert page.status_code == 404 and "ei ole skenaarioajoa" in page.text
        assert post_click(http, run_id, "next").status_code == 404
        assert "Tässä ympäristössä ei ole vielä toistettu skenaarioita." in http.get("/ui/trainer").text
        time.sleep(trainer.HEARTBEAT_SECONDS + 1)  # the owner's next heartbeat finds no row and stops: writes nothing
        assert run_rows.run(store, tenant, run_id) is None and run_rows.requests(store, tenant, run_id) == []


def runs_of(store, *tenants: str) -> list:
    """Every run of the tenants with the clicks queued for it."""
    return [(t, r["id"], r["state"], [q["seq"] for q in run_rows.requests(store, t, r["id"])])
            for t in tenants for r in trainer.recent(store, t, 100)]


def test_bad_input_gets_a_readable_page_and_changes_nothing(box, store, tenant):
    other = new_tenant(box)
    with form_client(box, tenant) as http:
        run_id = start_run(http)
    cases = [  # (tenant of the form, run, action, status, what the page says)
        (tenant, "run-0000000000ff", "next", 404, f"Ympäristössä {tenant} ei ole skenaarioajoa run-0000000000ff."),
        (tenant, "run-XYZ", "next", 404, "ei ole skenaarioajoa run-XYZ"),
        (other, run_id, "next", 404, f"Ympäristössä {other} ei ole skenaarioajoa {run_id}."),  # another tenant's run
        (tenant, run_id, "jump", 400, "Tuntematon toiminto: jump."),
        (tenant, run_id, "", 400, "Tuntematon toiminto: ."),
    ]
    before = runs_of(store, tenant, other)
    for form_tenant, run, action, status, says in cases:
        with form_client(box, form_tenant) as http:
            r = post_click(http, run, action)
            assert r.status_code == status and "text/html" in r.headers["content-type"], (run, action, r.text[:300])
            assert says in r.text and "Mitään ei muutettu." in r.text
            if run == run_id and form_tenant == other:
                assert http.get(f"/ui/trainer/runs/{run}").status_code == 404  # not shown either
    with form_client(box, tenant) as http:  # a form shown for another tenant than the cookie's
        r = post_click(http, run_id, "next", tenant=other)
        assert r.status_code == 400 and f"Lomake koski ympäristöä {other}" in r.text
    assert runs_of(store, tenant, other) == before
    assert trainer.run_of(store, tenant, run_id)["state"] == "ready"
