"""What a rehearsal session grades: its parties, its window of the access log, and the events in it.

`load_seen` reads the tenant's reads and writes after the session opened (by access-log
sequence number, not sandbox time: a rehearsal may move the clock backwards), each with the
stored rows of its documents: the custodian (register), group, service request, set, version
and status of what an accepted write stored or a successful read returned.
"""
from __future__ import annotations

from dataclasses import dataclass

from mock_kanta.audit.service import AuditEvent
from mock_kanta.rehearsal.checklist import ACTIONS
from mock_kanta.store.queries.archivist import graded_rows
from mock_kanta.store.queries.audit import window


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
    events = [AuditEvent.from_row(r) for r in window(store, scope.tenant, scope.after_seq, scope.through_seq, ACTIONS)]
    rows = graded_rows(store, scope.tenant, sorted({d for e in events if e.outcome in ("AA", "ok") for d in e.document_ids}))
    return [Seen(e, [rows[d] for d in e.document_ids if d in rows] if e.outcome in ("AA", "ok") else []) for e in events]
