"""A throw-away sandbox for a scenario run without --target: `mock-kanta serve` on a free port and a temporary data directory."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        env = {k: v for k, v in os.environ.items() if k not in ("MOCK_KANTA_DATABASE_URL", "MOCK_KANTA_TLS")}
        command = [sys.executable, "-m", "mock_kanta.cli", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir),
                   "--no-demo-cards"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=5) as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the sandbox exited with {self.proc.returncode}:\n{self._log_tail()}")
                try:
                    if http.get(self.url + "/healthz").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the sandbox did not answer /healthz within {START_TIMEOUT:.0f} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "LocalSandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
