"""Access tokens' rows: add, list, revoke, and the active ones (with their tenant still the one they were made
for); every change bumps the one generation row, which each worker process compares before trusting its cache."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import insert, select, update

from mock_kanta.store.tables.access import access_generation, access_tokens
from mock_kanta.store.tables.tenants import tenants

_T = access_tokens.c
_LISTED = (_T.id, _T.tenant, _T.role, _T.label, _T.created_at, _T.revoked_at)


def generation(store) -> int:
    """The tokens' generation (0 before the first change)."""
    return store.alchemy.value(select(access_generation.c.value).where(access_generation.c.id == 1)) or 0


def active_tokens(store) -> list[dict]:
    """Every token not revoked whose tenant exists and is the one it was made for: id, tenant, role, hash."""
    q = (select(_T.id, _T.tenant, _T.role, _T.hash)
         .join(tenants, (tenants.c.id == _T.tenant) & (tenants.c.created_at == _T.tenant_created_at))
         .where(_T.revoked_at.is_(None)))
    return store.alchemy.rows(q)


def add_token(store, row: dict) -> None:
    """Insert a token row (id, tenant, tenant_created_at, role, label, hash) now."""
    with store.alchemy.begin() as conn:
        conn.execute(insert(access_tokens).values(**row, created_at=_now()))
        _bump(conn)


def tokens(store, tenant: str) -> list[dict]:
    """The tenant's tokens, oldest first, revoked ones too (never the hash)."""
    return store.alchemy.rows(select(*_LISTED).where(_T.tenant == tenant).order_by(_T.created_at, _T.id))


def token(store, tenant: str, token_id: str) -> dict | None:
    return store.alchemy.first(select(*_LISTED).where((_T.tenant == tenant) & (_T.id == token_id)))


def revoke(store, tenant: str, token_id: str | None = None) -> int:
    """Revoke the tenant's token `token_id` (None: all of them); how many were revoked here."""
    where = (_T.tenant == tenant) & _T.revoked_at.is_(None)
    if token_id is not None:
        where &= _T.id == token_id
    with store.alchemy.begin() as conn:
        count = conn.execute(update(access_tokens).where(where).values(revoked_at=_now())).rowcount
        if count:
            _bump(conn)
        return count


def _bump(conn) -> None:
    if conn.execute(update(access_generation).where(access_generation.c.id == 1)
                    .values(value=access_generation.c.value + 1)).rowcount == 0:
        conn.execute(insert(access_generation).values(id=1, value=1))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")
