"""A throwaway PostgreSQL cluster for the tests and the durability bench: Debian's binaries
(/usr/lib/postgresql/<version>/bin), a data directory in a fresh temp directory, loopback on a free port and a
unix socket in that directory, trust authentication. Started on first use, stopped by `stop()` (the tests' session
fixture calls it however the run ends), and it dies with the process that started it (parent-death signal), so a
killed test run leaves no postmaster behind.

As root (CI), initdb and postgres refuse to run: they run as the `postgres` user Debian's package makes (or
`nobody`), through setpriv, which changes the user and then sets the parent-death signal (a change of user clears
one set before). The cluster skips fsync: the tests kill mock-kanta, never PostgreSQL or the machine.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from mock_kanta.scenario.sandbox import free_port

PR_SET_PDEATHSIG = 1


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


class Cluster:
    def __init__(self):
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql; ./dev does it)")
        self.root = Path(tempfile.mkdtemp(prefix="mock-kanta-pg-"))
        self.data, self.port = self.root / "data", free_port()
        self.proc: subprocess.Popen | None = None
        self.user = None
        if os.geteuid() == 0:
            self.user = next((u for u in ("postgres", "nobody") if _has_user(u)), None)
            shutil.chown(self.root, self.user, pwd.getpwnam(self.user).pw_gid)
        self.databases = 0

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> Cluster:
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                   "--locale=C", "--no-sync"])
        log = open(self.root / "postgres.log", "ab")
        command = [str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port), "-k", str(self.root),
                   "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                   "-c", "max_connections=300", "-c", "shared_buffers=64MB"]
        self.proc = subprocess.Popen(self._as_user(command, pdeathsig=True), stdout=log, stderr=subprocess.STDOUT,
                                     preexec_fn=None if self.user else _die_with_parent, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return self
            except psycopg.OperationalError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"postgres did not start within 60 s: {self.log_tail()}")

    def new_database(self, prefix: str = "box") -> str:
        """A fresh empty database: its postgresql:// URL."""
        self.databases += 1
        name = f"{prefix}_{os.getpid()}_{self.databases}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the postmaster (an immediate shutdown: nothing here needs a checkpoint) and remove the files."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        try:
            return (self.root / "postgres.log").read_text(errors="replace")[-2000:]
        except OSError:
            return "(no log)"

    def _as_user(self, command: list[str], pdeathsig: bool = False) -> list[str]:
        if self.user is None:
            return command
        death = ["--pdeathsig", "SIGQUIT"] if pdeathsig else []
        return ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--clear-groups", *death, "--", *command]

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(self._as_user(command), capture_output=True, text=True, cwd=self.root)
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _die_with_parent() -> None:
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)
