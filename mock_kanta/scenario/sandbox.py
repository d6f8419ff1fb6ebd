"""A real `mock-kanta serve` process, started and waited for: `start_server` (used by the scenario runner's
throw-away sandbox, the tests' `sandbox` fixture and bench/archive_bench.py) and `LocalSandbox`."""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Callable

import httpx

START_TIMEOUT = 90.0
PR_SET_PDEATHSIG = 1
_PRCTL = getattr(ctypes.CDLL(ctypes.util.find_library("c")), "prctl", None) if os.name == "posix" else None  # Linux


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int, data_dir: Path | str, *extra: str) -> list[str]:
    """`mock-kanta serve` on loopback `port` with its data in `data_dir`, then `extra` (a later option wins)."""
    return [sys.executable, "-m", "mock_kanta.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
            "--data-dir", str(data_dir), *extra]


def log_tail(path: Path | str, lines: int = 20) -> str:
    try:
        return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def start_server(command: list[str], *, log: IO[bytes], connect: Callable[[], httpx.Client], env: dict | None = None,
                 cwd: Path | str | None = None, timeout: float = START_TIMEOUT) -> tuple[subprocess.Popen, httpx.Client]:
    """Start `command` (a `mock-kanta serve`; output to the open file `log`) and wait until GET /healthz through a
    client from `connect()` answers 200: (the process, that client). If the process exits first, or does not answer
    within `timeout` seconds, it is stopped and RuntimeError tells why, with the log's tail."""
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_own_group)
    deadline, http = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} ({log.name}):\n{log_tail(log.name)}")
        try:
            http = http or connect()
            if http.get("/healthz").status_code == 200:
                return proc, http
        except (httpx.TransportError, OSError):  # not listening yet, or its TLS material not written yet
            if http:
                http.close()
            http = None
        time.sleep(0.1)
    if http:
        http.close()
    stop_server(proc, kill=True)
    raise RuntimeError(f"the server did not answer /healthz within {timeout:.0f} s ({log.name}):\n{log_tail(log.name)}")


def _own_group() -> None:
    """In the child before exec: a process group of its own (its worker processes join it), and SIGTERM when the
    process that started it dies, whatever killed that one (Linux's parent-death signal)."""
    os.setsid()
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_server(proc: subprocess.Popen, *, kill: bool = False, timeout: float = 30) -> None:
    """Stop a server started by `start_server` and every process of its group (uvicorn's workers and helpers):
    SIGTERM (SIGKILL with `kill`), SIGKILL after `timeout`, and the group swept once the leader is gone."""
    group = proc.pid
    try:
        os.killpg(group, signal.SIGKILL if kill else signal.SIGTERM)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(group, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:  # the whole group has ended already
        proc.wait(timeout=10)
    try:
        os.killpg(group, signal.SIGKILL)  # workers the leader did not take down with it (e.g. after its SIGKILL)
    except ProcessLookupError:
        pass


# A throw-away sandbox is its own: on loopback, embedded, without TLS or access control whatever the caller's
# environment says (the run's MOCK_KANTA_TOKEN is for a --target).
THROWAWAY_UNSET = ("MOCK_KANTA_DATABASE_URL", "MOCK_KANTA_TLS", "MOCK_KANTA_AUTH", "MOCK_KANTA_PUBLIC_URL",
                   "MOCK_KANTA_ADMIN_TOKEN")


class LocalSandbox:
    """`with LocalSandbox() as box:` a real server at `box.url` with its data in `box.data_dir`; stopped and removed after."""

    def __init__(self, *, keep: bool = False):
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="mock-kanta-scenario-"))
        self.data_dir = self.root / "var"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = self.root / "server.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "LocalSandbox":
        env = {k: v for k, v in os.environ.items() if k not in THROWAWAY_UNSET}
        try:
            with open(self.log_path, "ab") as log:
                self.proc, http = start_server(serve_command(self.port, self.data_dir, "--no-demo-cards"), log=log, env=env,
                                               connect=lambda: httpx.Client(base_url=self.url, timeout=5))
        except RuntimeError:
            self.stop()
            raise
        http.close()
        return self

    def stop(self) -> None:
        if self.proc:
            stop_server(self.proc)
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "LocalSandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
