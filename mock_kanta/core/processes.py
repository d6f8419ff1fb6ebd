"""Whether a process recorded as a row's owner still runs (trainer runs, background jobs)."""
from __future__ import annotations

import os
import socket
from pathlib import Path

HOST = socket.gethostname()


def _pid_namespace() -> str | None:
    """This process's pid namespace (Linux): with the host, whether another process's pid means anything here."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


PID_NAMESPACE = _pid_namespace()


def running(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, ended but not yet reaped, does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:  # ended since
        return False
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
