"""Tables. Every table starts with tenant_id; nothing is ever deleted."""
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

tenants = Table(
    "tenants",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("oid", String(256), primary_key=True),
    Column("name", String(400), nullable=False),
    Column("kind", String(20), nullable=False),  # organiser | provider | vendor
    Column("business_id", String(20)),
    Column("municipality", String(8)),
    Column("kanta_from", Date),
    Column("providers_from", Date),
    Column("verified", Boolean, nullable=False),
    Column("source", Text),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)

service_units = Table(
    "service_units",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("oid", String(256), primary_key=True),
    Column("organisation_oid", String(256), nullable=False),
    Column("name", String(400), nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("source", Text),
    ForeignKeyConstraint(["tenant_id", "organisation_oid"], ["organisations.tenant_id", "organisations.oid"]),
)

clocks = Table(
    "clocks",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("offset_us", BigInteger, nullable=False),  # sandbox time minus real time
    Column("frozen_at", String(40)),  # ISO instant when the clock stands still
    Column("updated_at", String(40), nullable=False),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)

documents = Table(
    "documents",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("document_id", String(256), nullable=False),
    Column("set_id", String(256)),
    Column("version", Integer),
    Column("register_oid", String(256), nullable=False),  # custodian: whose register
    Column("registry_type", String(16)),
    Column("client_id", String(32)),
    Column("service_request", String(16)),
    Column("usage_situation", String(16)),
    Column("document_group", String(16)),
    Column("document_type", String(32)),
    Column("function_code", String(16)),
    Column("service_unit_oid", String(256)),
    Column("sender_oid", String(256)),
    Column("message_id", String(300)),
    Column("transport", String(16)),
    Column("effective_time", String(40)),
    Column("received_at", String(40), nullable=False),
    Column("status", String(16), nullable=False),
    Column("findings_json", Text, nullable=False),
    Column("frame_xml", LargeBinary, nullable=False),
    Column("document_xml", LargeBinary, nullable=False),
    UniqueConstraint("tenant_id", "document_id", name="uq_documents_tenant_document"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
Index("ix_documents_register", documents.c.tenant_id, documents.c.register_oid, documents.c.seq)
Index("ix_documents_client", documents.c.tenant_id, documents.c.client_id)
