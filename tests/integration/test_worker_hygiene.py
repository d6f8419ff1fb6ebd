"""Worker processes exit when their parent dies: `serve --workers 2` whose supervisor alone is killed with SIGKILL
(its workers get no word from it) leaves no worker running or listening. Before the parent-death signal the
workers lived on, bound to the port (found after a full test run)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from mock_kanta.scenario.sandbox import free_port, serve_command, start_server, stop_server


def _group(pgid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pgid and not _zombie(entry):
                    found.append(int(entry.name))
            except (ProcessLookupError, OSError):
                pass
    return found


def _zombie(entry: Path) -> bool:
    return (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_workers_die_with_a_supervisor_killed_alone(tmp_path):
    port = free_port()
    with open(tmp_path / "server.log", "ab") as log:
        proc, http = start_server(serve_command(port, tmp_path / "var", "--workers", "2", "--no-demo-cards"), log=log,
                                  connect=lambda: httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5))
    http.close()
    try:
        workers = [pid for pid in _group(proc.pid) if pid != proc.pid]
        assert len(workers) >= 2, workers
        os.kill(proc.pid, signal.SIGKILL)  # the supervisor only, not its group
        proc.wait(timeout=10)
        deadline = time.monotonic() + 30
        while _group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group(proc.pid) == [], f"workers left running after their supervisor died: {_group(proc.pid)}"
    finally:
        stop_server(proc, kill=True)
