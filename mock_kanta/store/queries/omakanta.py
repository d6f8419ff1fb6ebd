"""What the OmaKanta views read and record: a client's documents, and guardianships (who is a guardian of
which minor; rows are never deleted, an ended guardianship gets a new row with `until`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, or_, select

from mock_kanta.store.queries.documents import SUMMARY_COLUMNS
from mock_kanta.store.tables.documents import documents
from mock_kanta.store.tables.people import guardians

_D, _G = documents.c, guardians.c


def client_documents(store, tenant: str, client_id: str, registers: list[str] | None = None) -> list[dict]:
    """The client's documents (no XML), newest first by document date, in the given registers (default all)."""
    where = (_D.tenant_id == tenant) & (_D.client_id == client_id)
    if registers:
        where = where & _D.register_oid.in_(list(registers))
    return store.alchemy.rows(select(*SUMMARY_COLUMNS).where(where).order_by(_D.effective_time.desc(), _D.seq.desc()))


def add_guardianship(store, row: dict) -> int:
    """Record a guardians row; its seq."""
    with store.alchemy.begin() as conn:
        return conn.execute(insert(guardians).values(**row)).inserted_primary_key[0]


def guardianships(store, tenant: str, minor_client_id: str | None = None, guardian_id: str | None = None) -> list[dict]:
    """Guardianship rows of a minor and/or a guardian, oldest first."""
    q = select(guardians).where(_G.tenant_id == tenant)
    if minor_client_id:
        q = q.where(_G.minor_client_id == minor_client_id)
    if guardian_id:
        q = q.where(_G.guardian_id == guardian_id)
    return store.alchemy.rows(q.order_by(_G.seq))


def overlapping_guardianship(store, tenant: str, minor_client_id: str, guardian_id: str, since: date,
                             until: date | None) -> dict | None:
    """An existing row of the same minor and guardian whose period meets [since, until]."""
    q = select(guardians).where((_G.tenant_id == tenant) & (_G.minor_client_id == minor_client_id)
                                & (_G.guardian_id == guardian_id) & or_(_G.until.is_(None), _G.until >= since))
    if until is not None:
        q = q.where(_G.since <= until)
    return store.alchemy.first(q)
