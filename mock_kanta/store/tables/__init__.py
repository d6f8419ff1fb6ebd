"""Every table of the store, on one `metadata`: this package imports each area's tables, so whoever needs
the schema (`engine.create_schema`, a tenant's reset) has all of it. A new table needs no schema version
step: `create_all` adds it to an existing database."""
from mock_kanta.store.tables.access import access_generation, access_tokens
from mock_kanta.store.tables.audit import audit_anchors, audit_events
from mock_kanta.store.tables.base import metadata, schema_info
from mock_kanta.store.tables.documents import documents, matters, register_rights
from mock_kanta.store.tables.faults import faults, traffic_marks
from mock_kanta.store.tables.jobs import jobs
from mock_kanta.store.tables.people import guardians
from mock_kanta.store.tables.rehearsal import rehearsal_sessions
from mock_kanta.store.tables.tenants import clocks, organisations, rule_modes, service_units, tenant_seeds, tenants
from mock_kanta.store.tables.tenants import verdict_profiles
from mock_kanta.store.tables.traffic import traffic
from mock_kanta.store.tables.trainer import trainer_requests, trainer_runs, trainer_steps

__all__ = ["access_generation", "access_tokens", "audit_anchors", "audit_events", "clocks",
           "documents", "faults", "guardians", "jobs", "matters", "metadata", "organisations",
           "register_rights", "rehearsal_sessions", "rule_modes", "schema_info", "service_units", "tenant_seeds", "tenants",
           "traffic", "traffic_marks", "trainer_requests", "trainer_runs", "trainer_steps", "verdict_profiles"]
