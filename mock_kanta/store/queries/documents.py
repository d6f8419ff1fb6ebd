"""The registers' rows: documents and their versions, matters and register usage rights.

`DocumentQueries` are `Store`'s methods for them. The archive path's lookups (a document's summary, a set's
versions, a matter, a client's rights) are prepared once and run on the hot path's database (raw sqlite3 on
an SQLite file); the write path's steps (`writer.py`) use the statements and `open_matter` below."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import bindparam, func, select, update

from mock_kanta.store.prepared import KEY, TENANT, Prepared
from mock_kanta.store.tables.documents import documents, matters, register_rights

_D, _R = documents.c, register_rights.c

# Columns listed by the archivist view (the raw XML is fetched one document at a time).
SUMMARY_COLUMNS = [c for c in documents.c if c.name not in ("frame_xml", "document_xml")]

DOCUMENT = Prepared(select(documents).where((_D.tenant_id == TENANT) & (_D.document_id == KEY)))
DOCUMENT_SUMMARY = Prepared(select(*SUMMARY_COLUMNS).where((_D.tenant_id == TENANT) & (_D.document_id == KEY)))
VERSIONS = Prepared(select(*SUMMARY_COLUMNS).where((_D.tenant_id == TENANT) & (_D.set_id == KEY))
                    .order_by(_D.version, _D.seq))
MATTER = Prepared(select(matters).where((matters.c.tenant_id == TENANT) & (matters.c.matter_id == KEY)))
_ALL_RIGHTS = select(register_rights).where((_R.tenant_id == TENANT) & (_R.client_id == KEY)).order_by(_R.seq)
ALL_RIGHTS = Prepared(_ALL_RIGHTS)
RIGHTS = Prepared(_ALL_RIGHTS.where(_R.replaced_by.is_(None)))
# A new version replaces its parent only while the parent is current (else StaleVersion).
SUPERSEDE = Prepared(update(documents).where((_D.tenant_id == TENANT) & (_D.document_id == KEY) & (_D.status == "active"))
                     .values(status="replaced", replaced_by=bindparam("new_id")))
# A new version of a client-relationship document replaces what the earlier ones granted.
REPLACE_RIGHTS = Prepared(update(register_rights).where((_R.tenant_id == TENANT) & (_R.relationship_id == KEY)
                                                        & _R.replaced_by.is_(None))
                          .values(replaced_by=bindparam("new_id")))


def open_matter(session, tenant: str, row: dict, created_at: str) -> None:
    """Record a matter unless it is known already (in a write session)."""
    session.insert(matters, {"tenant_id": tenant, "created_at": created_at, **row}, ignore_existing=True)


def rights_of_clients(store, tenant: str, organiser_oid: str, clients: list[str]) -> list[dict]:
    """Every right row (replaced ones too) of these clients in the organiser's register, oldest first."""
    if not clients:
        return []
    return store.alchemy.rows(select(register_rights).where((_R.tenant_id == tenant) & (_R.organiser_oid == organiser_oid)
                                                            & _R.client_id.in_(clients)).order_by(_R.seq))


class DocumentQueries:
    """`Store`'s methods on documents, matters and rights (`self.hot`: the hot path's database; `self.alchemy`:
    SQLAlchemy on the same database)."""

    def document(self, tenant: str, document_id: str, *, summary: bool = False) -> dict | None:
        rows = self.hot.rows(DOCUMENT_SUMMARY if summary else DOCUMENT, tenant=tenant, key=document_id)
        return rows[0] if rows else None

    def versions(self, tenant: str, set_id: str) -> list[dict]:
        """Every version of a document set, oldest first (the history)."""
        return self.hot.rows(VERSIONS, tenant=tenant, key=set_id)

    def documents(self, tenant: str, register_oid: str, *, client_id: str | None = None, limit: int = 50,
                  offset: int = 0) -> tuple[list[dict], int]:
        where = (_D.tenant_id == tenant) & (_D.register_oid == register_oid)
        if client_id:
            where = where & (_D.client_id == client_id)
        rows = self.alchemy.rows(select(*SUMMARY_COLUMNS).where(where).order_by(_D.seq.desc()).limit(limit).offset(offset))
        return rows, self.alchemy.value(select(func.count()).select_from(documents).where(where))

    def count_documents(self, tenant: str) -> int:
        return self.alchemy.value(select(func.count()).select_from(documents).where(_D.tenant_id == tenant))

    def registers(self, tenant: str) -> list[dict]:
        return self.alchemy.rows(
            select(_D.register_oid, func.count().label("documents"), func.max(_D.received_at).label("last_received_at"))
            .where(_D.tenant_id == tenant).group_by(_D.register_oid))

    def matter(self, tenant: str, matter_id: str) -> dict | None:
        rows = self.hot.rows(MATTER, tenant=tenant, key=matter_id)
        return rows[0] if rows else None

    def matters(self, tenant: str, client_id: str | None = None) -> list[dict]:
        q = select(matters).where(matters.c.tenant_id == tenant).order_by(matters.c.created_at)
        if client_id:
            q = q.where(matters.c.client_id == client_id)
        return self.alchemy.rows(q)

    def add_matter(self, tenant: str, row: dict, within=None) -> None:
        """Record a matter unless it is known already; inside `within` (a `transaction()`) when given."""
        with self.transaction(within) as session:
            open_matter(session, tenant, row, datetime.now(timezone.utc).isoformat(timespec="microseconds"))

    def rights(self, tenant: str, client_id: str, *, include_replaced: bool = False) -> list[dict]:
        return self.hot.rows(ALL_RIGHTS if include_replaced else RIGHTS, tenant=tenant, key=client_id)
