"""Which stored documents a read would answer with, before the access checks judge each: a query's matches in
the registers the reader may read (its filters, current versions and voids, in document-date order), and a
retrieve's document with, on request, the other versions of its set in the same register."""
from __future__ import annotations

from datetime import datetime, timezone

from mock_kanta.read.facts import StoredDocument
from mock_kanta.store.queries import read as queries
from mock_kanta.wire.paths.query import ReadRequest, hl7_instant

DEFAULT_LIMIT = 100
_FAR = datetime.max.replace(tzinfo=timezone.utc)


def matches(store, tenant: str, r: ReadRequest, registers: list[str]) -> list[StoredDocument]:
    """The query's matches among the client's documents in these registers, by document date."""
    current_only, include_voided = r.current_only != "false", r.include_voided == "true"
    low, high = hl7_instant(r.time_low), hl7_instant(r.time_high, end=True)
    tasks, groups = {c.code for c in r.service_tasks if c.code}, {c.code for c in r.document_groups if c.code}
    types = {c.code for c in r.document_types if c.code}
    matter = r.matter_id.root if r.matter_id and r.matter_id.root else None
    found = []
    for doc in _by_date(StoredDocument(row) for row in queries.client_documents(store, tenant, r.client, registers)):
        status = doc["status"]
        if (status == "voided" and not include_voided) or (current_only and status == "replaced"):
            continue
        if (tasks and doc.function_code not in tasks) or (groups and doc.document_group not in groups):
            continue
        if (types and not types & set(doc.types())) or (matter and doc.matter_id != matter):
            continue
        when = hl7_instant(doc["effective_time"])
        if (low and (when is None or when < low)) or (high and (when is None or when >= high)):
            continue
        found.append(doc)
    return found


def limit(r: ReadRequest) -> int:
    return int(r.initial_quantity) if r.initial_quantity and r.initial_quantity.isdigit() else DEFAULT_LIMIT


def _by_date(docs) -> list[StoredDocument]:
    return sorted(docs, key=lambda d: (hl7_instant(d["effective_time"]) or _FAR, d["set_id"] or "", d["version"] or 0, d["seq"]))


def history(store, tenant: str, doc: StoredDocument) -> list[StoredDocument]:
    """Every version of the document's set in its register, oldest first (`doc` itself among them)."""
    versions = []
    for version in store.versions(tenant, doc["set_id"]):
        found = version["document_id"]
        other = doc if found == doc.document_id else StoredDocument(store.document(tenant, found))
        if other is doc or other.register_oid == doc.register_oid:
            versions.append(other)
    return versions
