"""The sandbox clock over the control API."""
from datetime import datetime, timedelta, timezone

import pytest


@pytest.fixture
def clock(sandbox):
    yield sandbox.http
    sandbox.http.delete("/api/v1/clock")


def test_real_time_by_default(clock):
    state = clock.get("/api/v1/clock").json()
    assert state["mode"] == "real"
    now = datetime.fromisoformat(state["now"])
    assert abs(now - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_set_runs_on_and_freeze_stands_still(clock):
    running = clock.put("/api/v1/clock", json={"time": "2026-08-31T12:00:00+03:00"}).json()
    assert running["mode"] == "running"
    assert running["now"].startswith("2026-08-31T09:00:0")
    frozen = clock.put("/api/v1/clock", json={"time": "2026-09-01T00:00:00Z", "frozen": True}).json()
    again = clock.get("/api/v1/clock").json()
    assert (again["now"], again["mode"]) == (frozen["now"], "frozen")
    assert frozen["now"] == "2026-09-01T00:00:00+00:00"
    moved = clock.post("/api/v1/clock/advance", json={"days": 61}).json()
    assert moved["now"] == "2026-11-01T00:00:00+00:00" and moved["mode"] == "frozen"
    assert clock.delete("/api/v1/clock").json()["mode"] == "real"


def test_bad_time_is_a_clear_400(clock):
    r = clock.put("/api/v1/clock", json={"time": "tomorrow"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")


def test_unknown_tenant(clock):
    assert clock.get("/api/v1/clock", headers={"X-Mock-Kanta-Tenant": "ghost"}).status_code == 404


def test_clock_command_moves_a_running_sandbox(clock, sandbox):
    import subprocess
    import sys

    run = lambda *args: subprocess.run([sys.executable, "-m", "mock_kanta.cli", "clock", "--url", sandbox.url, *args],  # noqa: E731
                                       capture_output=True, text=True, timeout=30)
    out = run("set", "2026-09-01", "--frozen")
    assert out.returncode == 0, out.stderr
    assert "2026-08-31T22:00:00+00:00  (frozen" in out.stdout
    assert "2026-09-02T22:00:00+00:00" in run("advance", "--days", "2").stdout
    assert sandbox.http.get("/api/v1/clock").json()["now"] == "2026-09-02T22:00:00+00:00"
    assert "(real" in run("reset").stdout
