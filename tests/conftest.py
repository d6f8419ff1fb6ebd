"""Shared fixtures: the public samples, and a real `mock-kanta serve` process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

# ../shared sits beside the repository (here and in CI); the samples are read from there.
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "kanta-samples"
SAMPLE_NAMES = ("asiakkuusasiakirja", "asiakassuunnitelma")


def sample(name: str, part: str) -> bytes:
    """Bytes of a public sample: name in SAMPLE_NAMES, part 'frame' or 'document'."""
    return (SAMPLES / f"{name}-{part}.xml").read_bytes()


@pytest.fixture(scope="session")
def samples() -> dict[str, tuple[bytes, bytes]]:
    return {n: (sample(n, "frame"), sample(n, "document")) for n in SAMPLE_NAMES}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Sandbox:
    """A real server process; `restart()` stops and starts it on the same data directory."""

    data_dir: Path
    env: dict = field(default_factory=dict)
    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen | None = None
    http: httpx.Client | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, **self.env}
        cmd = [sys.executable, "-m", "mock_kanta.cli", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)]
        self.log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.http = httpx.Client(base_url=self.url, timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
            try:
                if self.http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not answer /healthz within 30 s")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            self.proc.wait(timeout=15)
        if self.http:
            self.http.close()
        self.log.close()

    def restart(self, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory) -> Sandbox:
    box = Sandbox(tmp_path_factory.mktemp("sandbox") / "var", env={"MOCK_KANTA_MAX_BODY_BYTES": str(4 * 1024 * 1024)})
    box.start()
    yield box
    box.stop()
