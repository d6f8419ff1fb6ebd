"""The access log's rows: appending a sealed event (the one append, for the archive's write path and every
other event), the chain as `verify` walks it, a page of events, a client's events, the retention purge.

Appending reads the tenant's chain end and inserts the event sealed after it, inside a write transaction
that took the database's write lock (and the chain's lock) first: no other writer can commit an event in
between, so two events never share a predecessor, across worker processes too."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import bindparam, delete, func, select

from mock_kanta.core.audit_chain import sealed
from mock_kanta.store.prepared import TENANT, Prepared
from mock_kanta.store.tables.audit import audit_anchors, audit_events

_E, _A = audit_events.c, audit_anchors.c
_CHAIN_END = Prepared(select(_E.hash).where(_E.tenant_id == TENANT).order_by(_E.seq.desc()).limit(1))
_ANCHOR_HASH = Prepared(select(_A.anchor_hash).where(_A.tenant_id == TENANT).order_by(_A.purged_through_seq.desc()).limit(1))
_NEWEST_ANCHOR = select(audit_anchors).where(_A.tenant_id == TENANT).order_by(_A.purged_through_seq.desc()).limit(1)
_LAST_SEQ = select(func.max(_E.seq))  # any tenant's
# The purge: the events before the first one still within the retention (`:before`).
_FIRST_KEPT = Prepared(select(func.min(_E.seq)).where((_E.tenant_id == TENANT) & (_E.at >= bindparam("cutoff"))))
_TENANT_LAST_SEQ = Prepared(select(func.max(_E.seq)).where(_E.tenant_id == TENANT))
_DUE = (_E.tenant_id == TENANT) & (_E.seq < bindparam("before"))
_LAST_DUE = Prepared(select(_E.seq, _E.hash).where(_DUE).order_by(_E.seq.desc()).limit(1))
_COUNT_DUE = Prepared(select(func.count()).select_from(audit_events).where(_DUE))
_DELETE_DUE = Prepared(delete(audit_events).where(_DUE))


# --- appending (in a write session) ---------------------------------------------------------------


def append(session, tenant: str, row: dict) -> dict:
    """Append an unsealed event row (prev_hash and hash empty) to the tenant's chain: the stored row, sealed,
    with its seq."""
    row = sealed(row, chain_end(session, tenant))
    seq = session.insert(audit_events, row)
    session.chain_heads[tenant] = row["hash"]
    return {**row, "seq": seq}


def chain_end(session, tenant: str) -> str:
    """The hash the tenant's next event links to: the last event's, else the newest anchor's, else ""
    (known within the transaction once read or written)."""
    if tenant not in session.chain_heads:
        session.lock_chain(tenant)
        last = session.value(_CHAIN_END, tenant=tenant)
        session.chain_heads[tenant] = last if last is not None else session.value(_ANCHOR_HASH, tenant=tenant) or ""
    return session.chain_heads[tenant]


def purge_before(session, tenant: str, cutoff: str, purged_at: str) -> tuple[int, dict | None]:
    """Delete the oldest stretch of the tenant's chain: the events before the first one at or after `cutoff`
    (all, if none is). The last deleted event becomes the anchor the first kept one links to, so the chain
    end stays what it was. (how many were deleted, {"seq", "hash"} of the last one or None)."""
    session.lock_chain(tenant)
    first_kept = session.value(_FIRST_KEPT, tenant=tenant, cutoff=cutoff)
    before = first_kept if first_kept is not None else (session.value(_TENANT_LAST_SEQ, tenant=tenant) or 0) + 1
    count = session.value(_COUNT_DUE, tenant=tenant, before=before)
    if not count:
        return 0, None
    [last] = session.rows(_LAST_DUE, tenant=tenant, before=before)
    session.run(_DELETE_DUE, tenant=tenant, before=before)
    session.insert(audit_anchors, {"tenant_id": tenant, "purged_through_seq": last["seq"], "anchor_hash": last["hash"],
                                   "purged_count": count, "cutoff": cutoff, "purged_at": purged_at})
    return count, last


# --- reading -----------------------------------------------------------------------------------------


def chain_tenants(store) -> list[str]:
    """Every tenant with events or an anchor, sorted."""
    found = {r["tenant_id"] for r in store.alchemy.rows(select(_E.tenant_id).distinct())}
    found |= {r["tenant_id"] for r in store.alchemy.rows(select(_A.tenant_id).distinct())}
    return sorted(found)


def newest_anchor(store, tenant: str) -> dict | None:
    return store.alchemy.first(_NEWEST_ANCHOR, tenant=tenant)


def chain(store, tenant: str) -> Iterator[dict]:
    """The tenant's events in seq order, read as they are walked."""
    with store.alchemy.connect() as conn:
        for r in conn.execute(select(audit_events).where(_E.tenant_id == tenant).order_by(_E.seq)):
            yield dict(r._mapping)


def seq_of_hash(store, tenant: str, hash_: str) -> int | None:
    """The seq of the tenant's event with this hash, if any."""
    return store.alchemy.value(select(_E.seq).where((_E.tenant_id == tenant) & (_E.hash == hash_)))


def events_page(store, tenant: str, *, client_id: str | None = None, action: str | None = None,
                limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """One page of the tenant's events, newest first, and how many match."""
    where = _E.tenant_id == tenant
    if client_id:
        where &= _E.client_id == client_id
    if action:
        where &= _E.action == action
    rows = store.alchemy.rows(select(audit_events).where(where).order_by(_E.seq.desc()).limit(limit).offset(offset))
    return rows, store.alchemy.value(select(func.count()).select_from(audit_events).where(where))


def client_events(store, tenant: str, client_id: str, since: str, until: str, *, leaving_out: str) -> list[dict]:
    """The client's events from `since` to `until` (stored instants, both inclusive), newest first, but those of
    the action `leaving_out`."""
    return store.alchemy.rows(
        select(audit_events)
        .where((_E.tenant_id == tenant) & (_E.client_id == client_id) & (_E.at >= since) & (_E.at <= until)
               & (_E.action != leaving_out))
        .order_by(_E.at.desc(), _E.seq.desc()))


def last_seq(store) -> int:
    """The access log's last seq, of any tenant (0 when empty)."""
    return store.alchemy.value(_LAST_SEQ) or 0


def window(store, tenant: str, after: int, through: int | None, actions) -> list[dict]:
    """The tenant's events of the `actions` after seq `after` (through `through`), oldest first."""
    where = (_E.tenant_id == tenant) & (_E.seq > after) & _E.action.in_(list(actions))
    if through is not None:
        where &= _E.seq <= through
    return store.alchemy.rows(select(audit_events).where(where).order_by(_E.seq))
