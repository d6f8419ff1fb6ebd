"""The traffic log's table: one row per archive, validation, query or retrieve message a tenant
receives, whatever the verdict.

An accepted archive message keeps no bytes of its own: `stored` says that its frame, document
and findings are those of the stored document (`documents`, by tenant and document id), which
is never deleted while the row exists (a reset removes both). Other rows keep the frame and
document parts as received, or the raw body when it could not be split, up to
`mock_kanta.traffic.service.KEEP_BYTES` each (`truncated` says when more came).
"""
from sqlalchemy import Boolean, Column, ForeignKeyConstraint, Index, Integer, LargeBinary, String, Table, Text

from mock_kanta.store.tables.base import metadata

traffic = Table(
    "traffic",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # SQLite AUTOINCREMENT: never reused, even after a reset
    Column("tenant_id", String(64), nullable=False),
    Column("at", String(40), nullable=False),  # ISO UTC: the tenant's sandbox clock at arrival
    Column("recorded_at", String(40), nullable=False),  # ISO UTC: real time
    Column("channel", String(16), nullable=False),  # archive | validate | query | retrieve
    Column("verdict", String(16), nullable=False),  # AA|AE|AR (archive), valid|invalid (validate), ok|refused (reads)
    Column("ack", String(4)),  # the HL7 acknowledgement code (archive, query, retrieve)
    Column("transport", String(16)),  # multipart | soap-swa | shark-json | seed | ...
    Column("sender_oid", String(256)),  # the sending organisation
    Column("unit_oid", String(256)),  # the service unit
    Column("person_id", String(32)),  # the author or reader: registration number or henkilötunnus
    Column("client_id", String(32)),  # the client's henkilötunnus
    Column("service_request", String(16)),  # SP code (palvelupyyntö)
    Column("register_oid", String(256)),  # custodian: whose register (for a query, the registers searched)
    Column("document_id", String(256)),
    Column("document_ids", Text),  # JSON list: a query's returned documents
    Column("usage_situation", String(16)),  # käyttötilanne
    Column("message_id", String(300)),
    Column("rule_ids", Text, nullable=False),  # JSON list: the rules that refused (error level)
    Column("findings_json", Text),  # JSON list of Finding.to_json(); NULL when `stored`
    Column("detail", Text),
    Column("stored", Boolean, nullable=False),  # frame, document and findings are the stored document's
    Column("frame_xml", LargeBinary),  # as received (reads: the request body)
    Column("document_xml", LargeBinary),
    Column("body", LargeBinary),  # the raw body when it could not be split into parts
    Column("content_type", String(300)),
    Column("truncated", Boolean, nullable=False),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
    sqlite_autoincrement=True,
)
Index("ix_traffic_tenant", traffic.c.tenant_id, traffic.c.seq)
