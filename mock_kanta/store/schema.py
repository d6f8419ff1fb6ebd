"""Tables. Every table starts with tenant_id; nothing is ever deleted, except that a whole
tenant can be reset (all its rows go) or deleted (see Store.reset_tenant)."""
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
SCHEMA_VERSION = 4

schema_info = Table(
    "schema_info",
    metadata,
    Column("version", Integer, primary_key=True),
)

tenants = Table(
    "tenants",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    # Bumped by every change to the tenant's settings (clock, rule modes, organisations, units),
    # so every worker process can cache them and re-read only after a change.
    # Starts at a random value (Store.create_tenant), so a tenant deleted and made again under the
    # same id never matches a generation another worker cached for the old one.
    Column("generation", Integer, nullable=False, default=0),
)

# How a tenant was seeded when it was made (mock_kanta.seeding.service), so a reset seeds it again the
# same way. Kept by a reset, gone with the tenant. (A table of its own: no schema version step.)
tenant_seeds = Table(
    "tenant_seeds",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("clients", Integer, nullable=False),
    Column("seed", Integer, nullable=False),
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
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
    Column("unit_type", String(16), nullable=False, default="unit"),  # unit (palveluyksikkö) | point (palvelupiste)
    Column("parent_unit_oid", String(256)),  # a service point's unit
    # When the unit was registered in Soteri (Valvira); None = long before the sandbox began.
    # It reaches the SOTE organisation register at the next daily transfer.
    Column("soteri_registered_at", String(40)),
    Column("verified", Boolean, nullable=False),
    Column("source", Text),
    ForeignKeyConstraint(["tenant_id", "organisation_oid"], ["organisations.tenant_id", "organisations.oid"]),
)

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

rule_modes = Table(
    "rule_modes",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("selector", String(32), primary_key=True),  # a rule id (SH-REG-004) or a family prefix (SH-REG)
    Column("mode", String(16), nullable=False),  # report-only
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
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
