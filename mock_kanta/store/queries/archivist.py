"""What the archivist's view reads: a register's documents under filters (a page, a summary of counts),
the versions of sets, and the stored bytes of documents."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from mock_kanta.store.queries.documents import SUMMARY_COLUMNS
from mock_kanta.store.tables.documents import documents

_D = documents.c
_WARNING = '"severity": "warning"'  # as json.dumps writes a finding (archive.Archive._row)
_BATCH = 500  # ids per IN (...) list
_VERSION_COLUMNS = [_D.set_id, _D.document_id, _D.version, _D.status, _D.received_at, _D.register_oid]
# The columns a rehearsal grades a stored document by.
GRADED_COLUMNS = [_D[n] for n in ("document_id", "set_id", "version", "register_oid", "client_id", "service_request",
                                  "usage_situation", "document_group", "document_type", "sender_oid",
                                  "service_unit_oid", "status", "replaced_by", "received_at")]


@dataclass(frozen=True)
class RegisterFilter:
    """A register's documents under the view's filters, as stored values: arrival bounds as stored instants
    (`received_from` inclusive, `received_before` exclusive), document dates as YYYYMMDD (both inclusive)."""

    tenant: str
    register_oid: str
    client: str | None = None
    sender: str | None = None
    status: str | None = None
    document_type: str | None = None
    unit: str | None = None
    received_from: str | None = None
    received_before: str | None = None
    effective_from: str | None = None
    effective_to: str | None = None

    def condition(self):
        cond = (_D.tenant_id == self.tenant) & (_D.register_oid == self.register_oid)
        for column, value in ((_D.client_id, self.client), (_D.sender_oid, self.sender), (_D.status, self.status),
                              (_D.document_type, self.document_type), (_D.service_unit_oid, self.unit)):
            if value:
                cond = cond & (column == value)
        if self.received_from:
            cond = cond & (_D.received_at >= self.received_from)
        if self.received_before:
            cond = cond & (_D.received_at < self.received_before)
        day = func.substr(_D.effective_time, 1, 8)  # HL7 TS as written (local time): its YYYYMMDD
        if self.effective_from:
            cond = cond & (day >= self.effective_from)
        if self.effective_to:
            cond = cond & (day <= self.effective_to)
        return cond


def documents_page(store, where: RegisterFilter, *, limit: int = 50, offset: int = 0) -> tuple[list[dict], int]:
    """One page of document rows (no XML), newest arrival first, and the total under the filter."""
    cond = where.condition()
    rows = store.alchemy.rows(select(*SUMMARY_COLUMNS).where(cond).order_by(_D.seq.desc()).limit(limit).offset(offset))
    return rows, store.alchemy.value(select(func.count()).select_from(documents).where(cond))


def listed(store, where: RegisterFilter, document_ids: list[str]) -> dict[str, dict]:
    """The GRADED_COLUMNS of those of `document_ids` the filter lists, by document id."""
    return _graded(store, where.condition(), document_ids)


def graded_rows(store, tenant: str, document_ids: list[str]) -> dict[str, dict]:
    """The GRADED_COLUMNS of the tenant's stored `document_ids`, by document id."""
    return _graded(store, _D.tenant_id == tenant, document_ids)


def _graded(store, cond, document_ids: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for start in range(0, len(document_ids), _BATCH):
        q = select(*GRADED_COLUMNS).where(cond & _D.document_id.in_(document_ids[start:start + _BATCH]))
        found.update({r["document_id"]: r for r in store.alchemy.rows(q)})
    return found


def version_sets(store, tenant: str, set_ids: list[str]) -> list[dict]:
    """Every version of the sets (set id, document id, version, status, received_at, register), by set, oldest first."""
    return store.alchemy.rows(select(*_VERSION_COLUMNS).where((_D.tenant_id == tenant) & _D.set_id.in_(set_ids))
                              .order_by(_D.set_id, _D.version, _D.seq))


def stored_bytes(store, tenant: str, document_ids: list[str], *, frames: bool = True) -> list[dict]:
    """document_id, received_at, document_xml (and frame_xml) of the tenant's `document_ids`."""
    columns = [_D.document_id, _D.received_at, *([_D.frame_xml] if frames else []), _D.document_xml]
    return store.alchemy.rows(select(*columns).where((_D.tenant_id == tenant) & _D.document_id.in_(document_ids)))


def summary(store, where: RegisterFilter) -> dict:
    """Counts under the filter: total, clients, first and last arrival, with warnings, and (n, then the columns)
    by sender, document type (group and type), status, service unit and service request, most first."""
    cond = where.condition()
    head = store.alchemy.first(select(func.count().label("total"), func.count(distinct(_D.client_id)).label("clients"),
                                      func.min(_D.received_at).label("first"),
                                      func.max(_D.received_at).label("last")).where(cond))
    head["with_warnings"] = store.alchemy.value(select(func.count()).select_from(documents)
                                                .where(cond & _D.findings_json.contains(_WARNING)))
    for name, cols in (("by_sender", (_D.sender_oid,)), ("by_document_type", (_D.document_group, _D.document_type)),
                       ("by_status", (_D.status,)), ("by_service_unit", (_D.service_unit_oid,)),
                       ("by_service_request", (_D.service_request,))):
        head[name] = store.alchemy.rows(select(*cols, func.count().label("n")).where(cond).group_by(*cols)
                                        .order_by(func.count().desc(), *cols))
    return head
