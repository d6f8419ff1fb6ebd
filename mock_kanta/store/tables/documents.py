"""Tables of the registers: the documents (rows are never deleted: a new version replaces, a void voids),
the matters (asiat) and the register usage rights a client-relationship document grants."""
from sqlalchemy import (
    Column,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from mock_kanta.store.tables.base import metadata

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
    Column("status", String(16), nullable=False),  # active | replaced | voided (never deleted)
    Column("replaced_by", String(256)),  # the next version's document id
    Column("void_reason", String(400)),
    Column("visibility", String(16)),  # OmaKanta: visible | restricted | delayed
    Column("visible_from", Date),  # for a delay
    Column("guardian_disclosure", String(24)),  # minors: allowed | prohibited | prohibition-refused
    Column("findings_json", Text, nullable=False),
    Column("frame_xml", LargeBinary, nullable=False),
    Column("document_xml", LargeBinary, nullable=False),
    UniqueConstraint("tenant_id", "document_id", name="uq_documents_tenant_document"),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
Index("ix_documents_register", documents.c.tenant_id, documents.c.register_oid, documents.c.seq)
Index("ix_documents_client", documents.c.tenant_id, documents.c.client_id)
Index("ix_documents_set", documents.c.tenant_id, documents.c.set_id)

matters = Table(
    "matters",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("matter_id", String(256), primary_key=True),
    Column("organiser_oid", String(256), nullable=False),
    Column("client_id", String(32), nullable=False),
    Column("source", String(200), nullable=False),  # fixture | the document that opened it | api
    Column("created_at", String(40), nullable=False),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)

register_rights = Table(
    "register_rights",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("organiser_oid", String(256), nullable=False),
    Column("client_id", String(32), nullable=False),
    Column("relationship_id", String(256), nullable=False),  # asiakkuuden yksilöintitunnus
    Column("source_document_id", String(256), nullable=False),  # the asiakkuusasiakirja that granted it
    Column("source_set_id", String(256), nullable=False),
    Column("source_version", Integer, nullable=False),
    Column("function_code", String(16)),
    Column("unit_oid", String(256), nullable=False),
    Column("services_json", Text, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("granted_at", String(40), nullable=False),
    Column("replaced_by", String(256)),  # a newer version of the client-relationship document
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)
Index("ix_rights_client", register_rights.c.tenant_id, register_rights.c.client_id)
