"""Faults' rows (tables/faults.py): set, list, clear, fire one (count down atomically), and the traffic marks.
Every change bumps the tenant's generation, so each worker's cached faults refresh."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from mock_kanta.store.errors import UnknownTenant
from mock_kanta.store.tables.faults import faults, traffic_marks
from mock_kanta.store.tables.tenants import tenants
from mock_kanta.store.tables.traffic import traffic

_F = faults.c


def _bump(conn, tenant: str) -> None:
    if conn.execute(tenants.update().where(tenants.c.id == tenant)
                    .values(generation=tenants.c.generation + 1)).rowcount == 0:
        raise UnknownTenant(tenant)


def listed(store, tenant: str) -> list[dict]:
    return store.alchemy.rows(select(faults).where(_F.tenant_id == tenant).order_by(_F.created_at, _F.id))


def add(store, row: dict) -> None:
    with store.alchemy.begin() as conn:
        _bump(conn, row["tenant_id"])
        conn.execute(insert(faults).values(**row))


def remove(store, tenant: str, fault_id: str | None = None) -> int:
    """Delete one fault (or all the tenant's); how many rows went."""
    where = _F.tenant_id == tenant
    if fault_id is not None:
        where &= _F.id == fault_id
    with store.alchemy.begin() as conn:
        _bump(conn, tenant)
        return conn.execute(delete(faults).where(where)).rowcount


def fire(store, tenant: str, fault_id: str, counted: bool) -> bool:
    """Count one firing; a counted fault only while `remaining` > 0 (one UPDATE: atomic across processes).
    False if no firing was left. The last count bumps the generation (the caches drop the spent fault)."""
    where = (_F.tenant_id == tenant) & (_F.id == fault_id)
    values = {"fired": _F.fired + 1}
    if counted:
        where &= _F.remaining > 0
        values["remaining"] = _F.remaining - 1
    with store.alchemy.begin() as conn:
        if conn.execute(update(faults).where(where).values(**values)).rowcount != 1:
            return False
        if counted and conn.execute(select(_F.remaining).where((_F.tenant_id == tenant) & (_F.id == fault_id))).scalar() == 0:
            _bump(conn, tenant)
        return True


def mark(store, tenant: str, seq: int, *, replay_of: int | None = None, fault_id: str | None = None) -> None:
    with store.alchemy.begin() as conn:
        conn.execute(insert(traffic_marks).values(tenant_id=tenant, seq=seq, replay_of=replay_of, fault_id=fault_id))


def marks(store, tenant: str, seqs: list[int]) -> dict[int, dict]:
    """{seq: {"replay_of", "fault_id"}} of the rows among `seqs` that have a mark."""
    if not seqs:
        return {}
    rows = store.alchemy.rows(select(traffic_marks).where((traffic_marks.c.tenant_id == tenant)
                                                          & traffic_marks.c.seq.in_(seqs)))
    return {r["seq"]: {"replay_of": r["replay_of"], "fault_id": r["fault_id"]} for r in rows}


def last_traffic_seq(store, tenant: str) -> int:
    """The tenant's newest traffic seq (0 before any): where a replay's new entry is looked for after."""
    return store.alchemy.value(select(func.max(traffic.c.seq)).where(traffic.c.tenant_id == tenant)) or 0
