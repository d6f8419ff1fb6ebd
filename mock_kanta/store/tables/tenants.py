"""Tables of a tenant and its settings: the tenant, its seed, organisations and service units, rule modes, verdict
profile, clock."""
from sqlalchemy import BigInteger, Boolean, Column, Date, ForeignKeyConstraint, Integer, String, Table, Text

from mock_kanta.store.tables.base import metadata

tenants = Table(
    "tenants",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
    # Bumped by every change to the tenant's settings (clock, rule modes, organisations, units),
    # so every worker process can cache them and re-read only after a change.
    # Starts at a random value (TenantQueries.ensure_tenant), so a tenant deleted and made again under the
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

rule_modes = Table(
    "rule_modes",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("selector", String(32), primary_key=True),  # a rule id (SH-REG-004) or a family prefix (SH-REG)
    Column("mode", String(16), nullable=False),  # report-only
    ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
)

# The tenant's verdict profile (mock_kanta.rules.verdicts.VerdictProfile): the organisers whose profiles
# (fixtures/organiser-profiles.yaml) refuse in their registers, and strict. No row: the default (neither).
verdict_profiles = Table(
    "verdict_profiles",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("strict", Boolean, nullable=False),
    Column("organisers", Text, nullable=False),  # JSON list of organiser OIDs
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
