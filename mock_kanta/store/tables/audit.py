"""Tables of the access log (lokitiedot).

The log is append-only and hash-chained per tenant; only the retention purge deletes, and it
leaves an anchor so the chain that remains still verifies (see mock_kanta/audit/service.py).
"""
from sqlalchemy import Column, ForeignKeyConstraint, Index, Integer, String, Table, Text

from mock_kanta.store.tables.base import metadata

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # SQLite AUTOINCREMENT: never reused
    Column("tenant_id", String(64), nullable=False),
    Column("at", String(40), nullable=False),  # ISO UTC, the tenant's sandbox clock at the event
    Column("recorded_at", String(40), nullable=False),  # ISO UTC, real time of writing
    Column("action", String(32), nullable=False),  # archive | read | search | refusal | void | replace | log-request | purge
    Column("outcome", String(16), nullable=False),  # AA | AE | AR | ok | refused
    Column("person_id", String(32)),  # the acting person: registration number or henkilötunnus
    Column("card_serial", String(64)),  # the signing certificate's serial (hex), when known
    Column("card_subject", String(400)),  # its subject (RFC 4514 text)
    Column("organisation_oid", String(256)),
    Column("unit_oid", String(256)),
    Column("usage_situation", String(16)),  # käyttötilanne code
    Column("client_id", String(32)),  # the client's henkilötunnus
    Column("document_ids", Text, nullable=False),  # JSON list
    Column("rule_ids", Text, nullable=False),  # JSON list: the rules behind a refusal
    Column("detail", Text),
    Column("prev_hash", String(64), nullable=False),  # the previous event's hash in the tenant ("" for the first)
    Column("hash", String(64), nullable=False),  # SHA-256 of the canonical row (see audit.chain_hash)
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
    sqlite_autoincrement=True,
)
Index("ix_audit_client", audit_events.c.tenant_id, audit_events.c.client_id, audit_events.c.at)
Index("ix_audit_chain", audit_events.c.tenant_id, audit_events.c.seq)

# One row per purge that removed events: the last purged event's hash is the expected
# prev_hash of the first event kept. The newest anchor of a tenant is the one in force.
audit_anchors = Table(
    "audit_anchors",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("purged_through_seq", Integer, primary_key=True),  # the last purged event
    Column("anchor_hash", String(64), nullable=False),  # its hash
    Column("purged_count", Integer, nullable=False),
    Column("cutoff", String(40), nullable=False),  # events before this sandbox time were due
    Column("purged_at", String(40), nullable=False),  # the sandbox time of the purge
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
