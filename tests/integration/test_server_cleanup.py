"""Leave nothing running: a server started by `start_server` takes its worker processes down with it, when it is
stopped, when it is killed, and when the process that started it is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

from mock_kanta.scenario.sandbox import free_port, serve_command, start_server, stop_server


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _members(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid:
                    found.append(int(entry.name))
            except ProcessLookupError:
                pass
    return found


def _gone_within(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    return False


def _start(tmp_path: Path, workers: int = 2):
    port = free_port()
    log = open(tmp_path / "server.log", "ab")
    command = serve_command(port, tmp_path / "var", "--workers", str(workers), "--no-demo-cards", "--demo-clients", "0")
    proc, http = start_server(command, log=log, connect=lambda: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5))
    http.close()
    log.close()
    return proc


def test_a_killed_server_takes_its_workers_down(tmp_path):
    proc = _start(tmp_path)
    assert len(_members(proc.pid)) >= 3  # the supervisor and two workers, one group
    stop_server(proc, kill=True)
    assert _gone_within(proc.pid, 10), f"left running: {_members(proc.pid)}"


def test_a_stopped_server_takes_its_workers_down(tmp_path):
    proc = _start(tmp_path)
    stop_server(proc)
    assert proc.returncode is not None and _gone_within(proc.pid, 10)


def test_a_server_dies_with_the_process_that_started_it(tmp_path):
    script = textwrap.dedent(f"""
        import httpx, sys, time
        from mock_kanta.scenario.sandbox import free_port, serve_command, start_server
        port = free_port()
        command = serve_command(port, {str(tmp_path / "var")!r}, "--workers", "2", "--no-demo-cards", "--demo-clients", "0")
        proc, http = start_server(command, log=open({str(tmp_path / "server.log")!r}, "ab"),
                                  connect=lambda: httpx.Client(base_url=f"http://127.0.0.1:{{port}}", timeout=5))
        print(proc.pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        server = int(parent.stdout.readline())
        assert _group_alive(server)
    finally:
        parent.send_signal(signal.SIGKILL)  # the test's own parent dies without a chance to clean up
        parent.wait(timeout=10)
    try:
        assert _gone_within(server, 30), f"left running: {_members(server)}"
    finally:
        if _group_alive(server):
            os.killpg(server, signal.SIGKILL)
