"""The traffic log's rows: one written, a page after a seq, the latest, one whole (its frame, document and
findings resolved from the stored document when it keeps none of its own)."""
from __future__ import annotations

from sqlalchemy import insert, select

from mock_kanta.store.tables.documents import documents
from mock_kanta.store.tables.traffic import traffic

_T = traffic.c
_INSERT = insert(traffic)  # built once: one row per message
_SUMMARY = [c for c in traffic.c if c.name not in ("frame_xml", "document_xml", "body", "findings_json")]
_HAS = [_T.frame_xml.is_not(None).label("has_frame"), _T.document_xml.is_not(None).label("has_document"),
        _T.body.is_not(None).label("has_body")]
# What the live flow shows of a row (no bytes, no findings): its query stays cheap.
_FLOW = [_T[name] for name in ("seq", "at", "recorded_at", "channel", "verdict", "transport", "sender_oid", "unit_oid",
                               "client_id", "service_request", "register_oid", "document_id", "rule_ids")]


def write(store, row: dict) -> int:
    """Record one row in a transaction of its own; its seq."""
    with store.alchemy.begin() as conn:
        return conn.execute(_INSERT, row).inserted_primary_key[0]


def page(store, tenant: str, *, after: int = 0, limit: int = 100, channel: str | None = None,
         verdict: str | None = None, client_id: str | None = None) -> list[dict]:
    """Up to `limit` summary rows (no bytes, no findings; has_frame, has_document, has_body) after seq `after`,
    oldest first, with the given channel, verdict and client."""
    where = (_T.tenant_id == tenant) & (_T.seq > after)
    for column, value in ((_T.channel, channel), (_T.verdict, verdict), (_T.client_id, client_id)):
        if value:
            where &= column == value
    return store.alchemy.rows(select(*_SUMMARY, *_HAS).where(where).order_by(_T.seq).limit(limit))


def latest(store, tenant: str, limit: int) -> list[dict]:
    """The tenant's latest rows as the live flow shows them, newest first."""
    return store.alchemy.rows(select(*_FLOW).where(_T.tenant_id == tenant).order_by(_T.seq.desc()).limit(limit))


def entry(store, tenant: str, seq: int) -> dict | None:
    """One row whole, with stored_frame, stored_document and stored_findings: those of the stored document
    of the same id when the row is `stored` (else None)."""
    d = documents.c
    return store.alchemy.first(
        select(traffic, d.frame_xml.label("stored_frame"), d.document_xml.label("stored_document"),
               d.findings_json.label("stored_findings"))
        .outerjoin(documents, _T.stored & (d.tenant_id == _T.tenant_id) & (d.document_id == _T.document_id))
        .where((_T.tenant_id == tenant) & (_T.seq == seq)))
