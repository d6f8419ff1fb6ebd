"""Access tokens (mock_kanta.access): a tenant's trainer and viewer tokens, kept only as SHA-256 hashes.

The tenant column is `tenant`, not `tenant_id`, on purpose: a tenant's reset wipes every `tenant_id` row
(TenantQueries.reset_tenant) and must keep the tenant's tokens. A token remembers its tenant's created_at, so
a tenant deleted and made again under the same id does not inherit the old tokens."""
from sqlalchemy import Column, Integer, String, Table

from mock_kanta.store.tables.base import metadata

access_tokens = Table(
    "access_tokens",
    metadata,
    Column("tenant", String(64), nullable=False, index=True),
    Column("id", String(40), primary_key=True),  # public: shown in lists, used to revoke
    Column("tenant_created_at", String(40), nullable=False),
    Column("role", String(16), nullable=False),  # trainer | viewer
    Column("label", String(200), nullable=False, default=""),
    Column("hash", String(64), nullable=False, unique=True),  # sha256 hex of the secret
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
)

# One row: bumped by every token change, so each worker process re-reads its cached tokens only then.
access_generation = Table(
    "access_generation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)
