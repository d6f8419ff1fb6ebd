"""Background jobs: work too long for a request (seeding a tenant with thousands of clients) runs in a small
thread pool of the process that queued it, and its progress is a row in the database (store/tables/jobs.py), so
every worker process and every instance on the same database answers GET /api/v1/jobs/{tenant}/{job}.

A job is queued, running, done or failed; it counts `done` of `total` items and ends with its summary lines or
its error. Its owner (host, pid, pid namespace) beats a heartbeat while it has unfinished jobs; a job whose
owner died is failed when it is next read (at once when the owner was a process on this machine, else after
GONE_SECONDS without a heartbeat) and at the next start of a job runner on this machine. A tenant's reset or
deletion removes its jobs: a running one stops at its next progress report (JobGone).
"""
from __future__ import annotations

import json
import logging
import os
import queue
import re
import secrets
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from mock_kanta.core.processes import HOST, PID_NAMESPACE, running
from mock_kanta.store.queries import jobs as rows

JOB_ID = re.compile(r"^job-[0-9a-f]{12}$")
STATES = ("queued", "running", "done", "failed")
MAX_JOBS_RUNNING = 1  # per process: a job is CPU-bound, the requests come first
HEARTBEAT_SECONDS = 5.0
GONE_SECONDS = 60.0
SAVE_EVERY_SECONDS = 0.5  # progress is written at most this often (and at every end)
OWNER_DIED = "its process ended before it finished (the server was stopped or killed); run it again"
LIST_LIMIT = 50

log = logging.getLogger(__name__)

Work = Callable[[Callable[[int], None]], list[str]]  # work(progress) -> summary lines; progress(n) per n items


class JobGone(Exception):
    """The job's row is gone (its tenant was reset or deleted): the work stops."""


# --- queueing and running ------------------------------------------------------------------------


def submit(store, tenant: str, kind: str, params: dict, total: int, work: Work, *, here: bool = False) -> dict:
    """Record a job of `tenant` and run `work` in this process's pool (or now, in this thread, when `here`):
    the job as the API shows it, queued (or finished, when `here`)."""
    job_id = f"job-{secrets.token_hex(6)}"
    rows.add(store, {"tenant_id": tenant, "id": job_id, "kind": kind, "params_json": json.dumps(params),
                     "state": "queued", "done": 0, "total": total, "owner_host": HOST, "owner_pid": os.getpid(),
                     "owner_pid_ns": PID_NAMESPACE, "alive_at": time.time(), "created_at": _now()})
    runner = Runner(store, tenant, job_id, work)
    if here:
        runner()
    else:
        _pool(store).put(runner)
    return get(store, tenant, job_id)


class Runner:
    """Runs one job's work, writing its progress (at most every SAVE_EVERY_SECONDS) and its end."""

    def __init__(self, store, tenant: str, job_id: str, work: Work):
        self.store, self.tenant, self.job_id, self.work = store, tenant, job_id, work
        self.done, self._saved_at = 0, 0.0

    def __call__(self) -> None:
        try:
            self._save(state="running", started_at=_now())
            lines = self.work(self.progress)
            self._save(state="done", done=self.done, result_json=json.dumps(lines, ensure_ascii=False),
                       finished_at=_now())
        except JobGone:
            log.info("job %s of %s removed (its tenant was reset or deleted)", self.job_id, self.tenant)
        except Exception as exc:  # the work's fault: the job says so, the server goes on
            log.exception("job %s of %s failed", self.job_id, self.tenant)
            error = f"{type(exc).__name__}: {exc}"[:1000]
            rows.save(self.store, self.tenant, self.job_id, {"state": "failed", "error": error, "done": self.done,
                                                             "finished_at": _now(), "alive_at": time.time()})

    def progress(self, n: int = 1) -> None:
        self.done += n
        if time.monotonic() - self._saved_at >= SAVE_EVERY_SECONDS:
            self._save(done=self.done)

    def _save(self, **values) -> None:
        if not rows.save(self.store, self.tenant, self.job_id, {**values, "alive_at": time.time()}):
            raise JobGone(self.job_id)
        self._saved_at = time.monotonic()


_queue: queue.SimpleQueue | None = None
_queue_lock = threading.Lock()


def _pool(store) -> queue.SimpleQueue:
    """This process's job queue, its MAX_JOBS_RUNNING worker threads and its heartbeat, made at the first job
    (daemon threads: a stopping server does not wait for them; what they leave unfinished is failed when read).
    The jobs left unfinished by dead processes of this machine are failed then."""
    global _queue
    with _queue_lock:
        if _queue is None:
            fail_orphans(store)
            _queue = queue.SimpleQueue()
            for i in range(MAX_JOBS_RUNNING):
                threading.Thread(target=_worker, args=(_queue,), name=f"job-{i}", daemon=True).start()
            threading.Thread(target=_heartbeat, args=(store,), name="job-heartbeat", daemon=True).start()
        return _queue


def _worker(jobs: queue.SimpleQueue) -> None:
    while True:
        runner = jobs.get()
        try:
            runner()
        except Exception:  # not even its failure could be written (the database is away): the next read fails it
            log.exception("job %s of %s not finished", runner.job_id, runner.tenant)


def _heartbeat(store) -> None:
    """Forever, in a daemon thread: every HEARTBEAT_SECONDS, the heartbeat of this process's unfinished jobs."""
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        try:
            rows.beat(store, HOST, os.getpid(), time.time())
        except Exception:  # the database is busy or away for a moment: beat again later
            log.warning("job heartbeat not written", exc_info=True)


def fail_orphans(store) -> int:
    """Fail every unfinished job whose owner was a process of this machine that no longer runs; how many."""
    failed = 0
    for row in rows.unfinished_of(store, HOST, PID_NAMESPACE):
        if row["owner_pid"] != os.getpid() and not running(row["owner_pid"]):
            failed += _fail(store, row["tenant_id"], row["id"])
    return failed


# --- reading -------------------------------------------------------------------------------------


def get(store, tenant: str, job_id: str) -> dict | None:
    """The job as the API shows it, or None if the tenant has no such job; one whose owner died is failed now."""
    row = rows.job(store, tenant, job_id) if JOB_ID.match(job_id) else None
    if row is not None and row["state"] in rows.UNFINISHED and owner_gone(row) and _fail(store, tenant, job_id):
        row = rows.job(store, tenant, job_id)
    return shown(row) if row else None


def recent(store, tenant: str, limit: int = LIST_LIMIT) -> list[dict]:
    return [get(store, tenant, row["id"]) or shown(row) for row in rows.recent(store, tenant, limit)]


def wait(store, tenant: str, job_id: str, seconds: float, poll: float = 0.2) -> dict | None:
    """The job once it is over (done or failed), or as it is after `seconds`; None if it is gone."""
    deadline = time.monotonic() + seconds
    while True:
        job = get(store, tenant, job_id)
        if job is None or job["state"] in ("done", "failed") or time.monotonic() >= deadline:
            return job
        time.sleep(poll)


def shown(row: dict) -> dict:
    return {"id": row["id"], "tenant": row["tenant_id"], "kind": row["kind"], "params": json.loads(row["params_json"]),
            "state": row["state"], "done": row["done"], "total": row["total"], "error": row["error"],
            "lines": json.loads(row["result_json"]) if row["result_json"] else [],
            "createdAt": row["created_at"], "startedAt": row["started_at"], "finishedAt": row["finished_at"],
            "location": location(row["tenant_id"], row["id"])}


def location(tenant: str, job_id: str) -> str:
    return f"/api/v1/jobs/{tenant}/{job_id}"


def owner_gone(row: dict) -> bool:
    """The owner was a process here that no longer runs, or its heartbeat is older than GONE_SECONDS."""
    here = row["owner_host"] == HOST and row["owner_pid_ns"] == PID_NAMESPACE and PID_NAMESPACE is not None
    if here:
        return row["owner_pid"] != os.getpid() and not running(row["owner_pid"])
    return time.time() - row["alive_at"] > GONE_SECONDS


def _fail(store, tenant: str, job_id: str) -> int:
    return int(rows.save(store, tenant, job_id, {"state": "failed", "error": OWNER_DIED, "finished_at": _now()}))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
