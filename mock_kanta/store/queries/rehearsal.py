"""The graded rehearsal sessions' rows: open one (it remembers the access log's last seq), list, read, close
(once: the frozen result)."""
from __future__ import annotations

from sqlalchemy import insert, select, update

from mock_kanta.store.queries.audit import last_seq
from mock_kanta.store.tables.rehearsal import rehearsal_sessions

_S = rehearsal_sessions.c


def open_session(store, row: dict) -> int:
    """Insert the session row with opened_seq, the access log's last seq (of any tenant) now; that seq."""
    opened_seq = last_seq(store)
    with store.alchemy.begin() as conn:
        conn.execute(insert(rehearsal_sessions).values(**row, opened_seq=opened_seq))
    return opened_seq


def sessions(store, tenant: str) -> list[dict]:
    """The tenant's sessions, newest first."""
    return store.alchemy.rows(select(rehearsal_sessions).where(_S.tenant_id == tenant)
                              .order_by(_S.opened_seq.desc(), _S.opened_real_at.desc()))


def session(store, tenant: str, session_id: str) -> dict | None:
    return store.alchemy.first(select(rehearsal_sessions).where((_S.tenant_id == tenant) & (_S.id == session_id)))


def close_session(store, tenant: str, session_id: str, values: dict) -> bool:
    """Store the closing values unless the session is closed already; whether it was closed here."""
    with store.alchemy.begin() as conn:
        return conn.execute(update(rehearsal_sessions).where((_S.tenant_id == tenant) & (_S.id == session_id)
                                                             & _S.closed_seq.is_(None)).values(**values)).rowcount == 1
