"""The store's one `metadata`, on which every table is defined, and the schema's version row.

Every table starts with tenant_id (but schema_info); nothing is ever deleted, except that a whole
tenant can be reset (all its rows go) or deleted (see TenantQueries.reset_tenant)."""
from sqlalchemy import Column, Integer, MetaData, Table

metadata = MetaData()

schema_info = Table(
    "schema_info",
    metadata,
    Column("version", Integer, primary_key=True),
)
