"""Every table of the store, on one `metadata`: this package imports each area's tables, so whoever needs
the schema (`engine.create_schema`, a tenant's reset) has all of it. A new table needs no schema version
step: `create_all` adds it to an existing database."""
from mock_kanta.store.tables.audit import audit_anchors, audit_events
from mock_kanta.store.tables.base import metadata, schema_info
from mock_kanta.store.tables.documents import documents, matters, register_rights
from mock_kanta.store.tables.people import guardians
from mock_kanta.store.tables.rehearsal import rehearsal_sessions
from mock_kanta.store.tables.tenants import clocks, organisations, rule_modes, service_units, tenant_seeds, tenants
from mock_kanta.store.tables.traffic import traffic

__all__ = ["metadata", "schema_info", "tenants", "tenant_seeds", "organisations", "service_units", "rule_modes", "clocks",
           "documents", "matters", "register_rights", "guardians", "audit_events", "audit_anchors", "traffic",
           "rehearsal_sessions"]
