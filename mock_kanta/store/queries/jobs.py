"""Background jobs' rows (tables/jobs.py): a job queued, its progress and end written, what a reader sees."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from mock_kanta.store.tables.jobs import jobs

_J = jobs.c
UNFINISHED = ("queued", "running")


def add(store, row: dict) -> None:
    with store.alchemy.begin() as conn:
        conn.execute(insert(jobs).values(**row))


def job(store, tenant: str, job_id: str) -> dict | None:
    return store.alchemy.first(select(jobs).where((_J.tenant_id == tenant) & (_J.id == job_id)))


def recent(store, tenant: str, limit: int) -> list[dict]:
    """The tenant's latest jobs, newest first."""
    return store.alchemy.rows(select(jobs).where(_J.tenant_id == tenant).order_by(_J.created_at.desc(), _J.id).limit(limit))


def save(store, tenant: str, job_id: str, values: dict, *, unless_over: bool = True) -> bool:
    """Write `values` to the job (not to one already done or failed, unless told); False if no row took them
    (the job is gone: its tenant was reset or deleted; or it is over)."""
    where = (_J.tenant_id == tenant) & (_J.id == job_id)
    if unless_over:
        where &= _J.state.in_(UNFINISHED)
    with store.alchemy.begin() as conn:
        return conn.execute(update(jobs).where(where).values(**values)).rowcount == 1


def beat(store, host: str, pid: int, alive_at: float) -> int:
    """The heartbeat of every unfinished job of one owner process; how many there were."""
    where = (_J.owner_host == host) & (_J.owner_pid == pid) & _J.state.in_(UNFINISHED)
    with store.alchemy.begin() as conn:
        return conn.execute(update(jobs).where(where).values(alive_at=alive_at)).rowcount


def unfinished_of(store, host: str, pid_ns: str | None) -> list[dict]:
    """Every unfinished job whose owner was a process on this host (in this pid namespace)."""
    q = select(_J.tenant_id, _J.id, _J.owner_pid).where((_J.owner_host == host) & _J.state.in_(UNFINISHED))
    q = q.where(_J.owner_pid_ns.is_(None) if pid_ns is None else _J.owner_pid_ns == pid_ns)
    return store.alchemy.rows(q)
