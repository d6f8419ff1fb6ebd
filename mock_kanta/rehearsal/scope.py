"""What a rehearsal session grades: its parties, its window of the access log, and the events in it.

`load_seen` reads the tenant's reads and writes after the session opened (by access-log
sequence number, not sandbox time: a rehearsal may move the clock backwards), each with the
stored rows of its documents: the custodian (register), group, service request, set, version
and status of what an accepted write stored or a successful read returned.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from mock_kanta.audit.service import AuditEvent
from mock_kanta.rehearsal.checklist import ACTIONS
from mock_kanta.store.audit_tables import audit_events
from mock_kanta.store.schema import documents

DOC_COLUMNS = [documents.c[n] for n in ("document_id", "set_id", "version", "register_oid", "client_id", "service_request",
                                        "usage_situation", "document_group", "document_type", "sender_oid",
                                        "service_unit_oid", "status", "replaced_by", "received_at")]


@dataclass(frozen=True)
class Party:
    """An organisation taking part: its OID, name and the OIDs of its service units."""

    oid: str
    name: str | None
    units: frozenset[str] = frozenset()

    def label(self) -> str:
        return f"{self.name} ({self.oid})" if self.name else self.oid


@dataclass(frozen=True)
class Scope:
    """What a session grades: one tenant's events after `after_seq` (through `through_seq` once closed)."""

    tenant: str
    session: Party
    counterpart: Party | None
    after_seq: int
    through_seq: int | None = None


@dataclass
class Seen:
    """One access-log event with the stored rows of its documents (accepted writes and successful reads only)."""

    event: AuditEvent
    documents: list[dict]


def load_seen(store, scope: Scope) -> list[Seen]:
    """The tenant's reads and writes in the window, oldest first, each with its stored documents."""
    c = audit_events.c
    cond = (c.tenant_id == scope.tenant) & (c.seq > scope.after_seq) & c.action.in_(ACTIONS)
    if scope.through_seq is not None:
        cond &= c.seq <= scope.through_seq
    with store.engine.connect() as conn:
        events = [AuditEvent.from_row(dict(r._mapping)) for r in conn.execute(select(audit_events).where(cond).order_by(c.seq))]
        ids = sorted({d for e in events if e.outcome in ("AA", "ok") for d in e.document_ids})
        rows: dict[str, dict] = {}
        for start in range(0, len(ids), 500):
            q = select(*DOC_COLUMNS).where((documents.c.tenant_id == scope.tenant)
                                           & documents.c.document_id.in_(ids[start:start + 500]))
            rows.update({r.document_id: dict(r._mapping) for r in conn.execute(q)})
    return [Seen(e, [rows[d] for d in e.document_ids if d in rows] if e.outcome in ("AA", "ok") else []) for e in events]
