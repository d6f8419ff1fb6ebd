"""The trainer's scenario runs' rows (tables/trainer.py): a run made with its steps, a click queued,
the owner's next request, its results and heartbeat written, what a page or a poller reads.

Polls are one lookup by key each: `progress` (the run's row: a waiting click, the owner looking for
work) and `next_request` (the requests' index)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, insert, select, update

from mock_kanta.store.prepared import KEY, TENANT, Prepared
from mock_kanta.store.tables.trainer import trainer_requests, trainer_runs, trainer_steps

_R, _S, _Q = trainer_runs.c, trainer_steps.c, trainer_requests.c
_LISTED = [c for c in trainer_runs.c if c.name != "prepare_json"]
PROGRESS = Prepared(select(_R.status, _R.asked, _R.handled, _R.alive_at, _R.owner_host, _R.owner_pid, _R.owner_pid_ns)
                    .where((_R.tenant_id == TENANT) & (_R.id == KEY)))
NEXT_REQUEST = Prepared(select(_Q.seq, _Q.action)
                        .where((_Q.tenant_id == TENANT) & (_Q.run_id == KEY) & (_Q.seq > bindparam("after")))
                        .order_by(_Q.seq).limit(1))


def create_run(store, row: dict, steps: list[dict]) -> None:
    """The run's row and its steps' rows (each with its `position`), in one transaction."""
    with store.alchemy.begin() as conn:
        conn.execute(insert(trainer_runs).values(**row))
        if steps:
            conn.execute(insert(trainer_steps), [{"tenant_id": row["tenant_id"], "run_id": row["id"], **s} for s in steps])


def run(store, tenant: str, run_id: str) -> dict | None:
    return store.alchemy.first(select(trainer_runs).where((_R.tenant_id == tenant) & (_R.id == run_id)))


def steps(store, tenant: str, run_id: str) -> list[dict]:
    """The run's steps in order."""
    return store.alchemy.rows(select(trainer_steps).where((_S.tenant_id == tenant) & (_S.run_id == run_id))
                              .order_by(_S.position))


def runs(store, tenant: str, limit: int) -> list[dict]:
    """The tenant's latest runs, newest first (without the preparation's result)."""
    return store.alchemy.rows(select(*_LISTED).where(_R.tenant_id == tenant)
                              .order_by(_R.created_at.desc(), _R.id).limit(limit))


def progress(store, tenant: str, run_id: str) -> dict | None:
    """What a poller needs of the run (status, asked, handled, heartbeat, owner); None if there is no such run."""
    found = store.hot.rows(PROGRESS, tenant=tenant, key=run_id)
    return found[0] if found else None


def ask(store, tenant: str, run_id: str, action: str, at: str, over: Iterable[str]) -> int | None:
    """Queue a request for the run's owner unless the run's status is one of `over`: its seq (the run's `asked`
    from now on), or None (no such run, or over). The run's row is updated first, so the check holds until
    the commit."""
    with store.alchemy.begin() as conn:
        where = (_R.tenant_id == tenant) & (_R.id == run_id) & _R.status.not_in(list(over))
        if conn.execute(update(trainer_runs).where(where).values(updated_at=at)).rowcount != 1:
            return None
        seq = conn.execute(insert(trainer_requests).values(tenant_id=tenant, run_id=run_id, action=action,
                                                           asked_at=at)).inserted_primary_key[0]
        conn.execute(update(trainer_runs).where(where).values(asked=seq))
        return seq


def next_request(store, tenant: str, run_id: str, after: int) -> dict | None:
    """The run's first request after seq `after` ({seq, action}), or None."""
    found = store.hot.rows(NEXT_REQUEST, tenant=tenant, key=run_id, after=after)
    return found[0] if found else None


def save(store, tenant: str, run_id: str, values: dict, results: dict[int, str] | None = None) -> bool:
    """Write the run's `values` (status, heartbeat, ...) and step results (position -> JSON) in one transaction;
    False if the run is gone (its tenant was reset or deleted), and then nothing is written."""
    with store.alchemy.begin() as conn:
        if conn.execute(update(trainer_runs).where((_R.tenant_id == tenant) & (_R.id == run_id))
                        .values(**values)).rowcount != 1:
            return False
        for position, result in (results or {}).items():
            conn.execute(update(trainer_steps).where((_S.tenant_id == tenant) & (_S.run_id == run_id)
                                                     & (_S.position == position)).values(result_json=result))
        return True


def requests(store, tenant: str, run_id: str) -> list[dict]:
    """The run's requests in order (seq, action, asked_at)."""
    return store.alchemy.rows(select(_Q.seq, _Q.action, _Q.asked_at)
                              .where((_Q.tenant_id == tenant) & (_Q.run_id == run_id)).order_by(_Q.seq))
