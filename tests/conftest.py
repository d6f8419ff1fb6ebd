"""Shared fixtures: the public samples, and a real `mock-kanta serve` process.

`--db=postgresql` (or MOCK_KANTA_TEST_DB=postgresql) runs every `Sandbox` server on a database of its own in a
throwaway PostgreSQL cluster (tests/pgcluster.py), started on first use and stopped at the end of the run. At
the end, the run fails if a process it started (marked by MOCK_KANTA_TEST_RUN in its environment) still lives."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from mock_kanta.scenario.sandbox import free_port, serve_command, start_server, stop_server
from tests.pgcluster import Cluster

# ../shared sits beside the repository (here and in CI); the samples are read from there.
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "kanta-samples"
SAMPLE_NAMES = ("asiakkuusasiakirja", "asiakassuunnitelma")


def sample(name: str, part: str) -> bytes:
    """Bytes of a public sample: name in SAMPLE_NAMES, part 'frame' or 'document'."""
    return (SAMPLES / f"{name}-{part}.xml").read_bytes()


@pytest.fixture(scope="session")
def samples() -> dict[str, tuple[bytes, bytes]]:
    return {n: (sample(n, "frame"), sample(n, "document")) for n in SAMPLE_NAMES}


RUN_MARK = "MOCK_KANTA_TEST_RUN"
os.environ.setdefault(RUN_MARK, uuid.uuid4().hex)  # inherited by every process the run starts
_cluster: Cluster | None = None


def pytest_addoption(parser):
    parser.addoption("--db", choices=("sqlite", "postgresql"), default=os.environ.get("MOCK_KANTA_TEST_DB", "sqlite"),
                     help="the database of the servers the tests start (default: MOCK_KANTA_TEST_DB, else sqlite)")


def pytest_configure(config):
    os.environ["MOCK_KANTA_TEST_DB"] = config.getoption("db")  # what Sandbox and the tests' own servers read


# Tests that open the server's SQLite file (or in-process services on its data directory) instead of
# Sandbox.database_url: skipped on a PostgreSQL run until they use it.
def test_database() -> str:
    """"sqlite" or "postgresql": the database this run's servers use."""
    return os.environ.get("MOCK_KANTA_TEST_DB", "sqlite")


def postgres() -> Cluster:
    """The run's PostgreSQL cluster, started on first use."""
    global _cluster
    if _cluster is None:
        _cluster = Cluster().start()
    return _cluster


def server_database_env() -> dict:
    """The environment a test's server needs for this run's database: a fresh PostgreSQL database, or nothing."""
    return {"MOCK_KANTA_DATABASE_URL": postgres().new_database()} if test_database() == "postgresql" else {}


@pytest.fixture(scope="session", autouse=True)
def _postgres_stopped():
    yield
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


@pytest.hookimpl(hookwrapper=True)
def pytest_sessionfinish(session, exitstatus):
    """After every fixture's teardown: no process of this run may be left (a server's workers, a cluster)."""
    yield
    left = _left_running(grace=10)
    if left:
        for pid, command in left:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = "\n".join(f"  pid {pid}: {command}" for pid, command in left)
        message = f"processes started by this test run were still running at its end (now killed):\n{lines}"
        if reporter:
            reporter.write_sep("!", "processes left behind", red=True)
            reporter.write_line(message)
        else:
            print(message)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _left_running(grace: float) -> list[tuple[int, str]]:
    """Live processes (not zombies) carrying this run's mark, after waiting up to `grace` seconds for them to end."""
    mark = f"{RUN_MARK}={os.environ[RUN_MARK]}".encode()
    deadline = time.monotonic() + grace
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                if mark in (entry / "environ").read_bytes().split(b"\0"):
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    found.append((int(entry.name), command[:200]))
            except OSError:
                pass
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@dataclass
class Sandbox:
    """A real server process (`mock-kanta serve ... ARGS`); `restart()` stops and starts it on the same data directory."""

    data_dir: Path
    env: dict = field(default_factory=dict)
    args: list[str] = field(default_factory=list)  # after the defaults: a repeated option's later value wins
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    http: httpx.Client | None = None
    _signers: dict = field(default_factory=dict)

    def __post_init__(self):
        if "MOCK_KANTA_DATABASE_URL" not in self.env:
            self.env = {**self.env, **server_database_env()}

    @property
    def database_url(self) -> str:
        """The server's database: its PostgreSQL database on a --db=postgresql run, else the SQLite file."""
        return self.env.get("MOCK_KANTA_DATABASE_URL") or f"sqlite:///{self.data_dir}/mock-kanta.sqlite3"

    @property
    def pki(self):
        from mock_kanta.signing.pki import Pki

        return Pki.open(self.data_dir / "pki")

    def signer_for(self, name: str):
        """A signer standing in for whoever signed the public sample `name` (same identity, sandbox CA)."""
        from tests.signing import SAMPLE_SIGNERS, issue_signer

        if name not in self._signers:
            kind, fields = SAMPLE_SIGNERS[name]
            self._signers[name] = (issue_signer(self.pki, kind, fields), kind)
        return self._signers[name]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return serve_command(self.port, self.data_dir, "--demo-clients", "0", *self.args)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def init(self) -> None:
        """Make the sandbox (`mock-kanta init`) before it is started, for commands that read one first."""
        subprocess.run([sys.executable, "-m", "mock_kanta.cli", "init", "--no-demo-cards", "--demo-clients", "0",
                        "--public-url", self.url, "--data-dir", str(self.data_dir)],
                       env={**os.environ, **self.env}, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self.log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")
        self.http = None
        self.proc, self.http = start_server(self.command(), log=self.log, env={**os.environ, **self.env}, connect=self.client,
                                            timeout=60)

    def stop(self, kill: bool = False) -> None:
        if self.http:
            self.http.close()  # close keep-alive connections first, so a graceful shutdown is quick
        if self.proc:
            stop_server(self.proc, kill=kill)
        self.log.close()

    def restart(self, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()


@pytest.fixture(scope="session")
def sample_trust(tmp_path_factory) -> Path:
    """A PEM bundle of the public samples' DVV TEST certificates (pinned as extra trust)."""
    from tests.signing import sample_certificates_pem

    path = tmp_path_factory.mktemp("trust") / "samples.pem"
    path.write_bytes(sample_certificates_pem(SAMPLES))
    return path


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory, sample_trust) -> Sandbox:
    """The shared sandbox: the samples' certificates are trusted, demo cards exist."""
    env = {"MOCK_KANTA_MAX_BODY_BYTES": str(4 * 1024 * 1024), "MOCK_KANTA_EXTRA_TRUST": str(sample_trust)}
    box = Sandbox(tmp_path_factory.mktemp("sandbox") / "var", env=env)
    box.start()
    yield box
    box.stop()


# The public samples were sent in 2026; the asiakkuusasiakirja's system certificate expired on
# 2026-10-09. Tests that post the samples as they are run with the sandbox clock at the time
# they were sent, as a vendor rehearsing with older material would.
SAMPLE_TIME = "2026-07-17T10:10:00+00:00"


@pytest.fixture
def sample_clock(sandbox):
    sandbox.http.put("/api/v1/clock", json={"time": SAMPLE_TIME}).raise_for_status()
    yield SAMPLE_TIME
    sandbox.http.delete("/api/v1/clock").raise_for_status()
