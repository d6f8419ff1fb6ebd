"""Persistence: SQLAlchemy Core over SQLite (default) or PostgreSQL. Every row is tenant-scoped.

The areas import what they need of the store from here (this package's surface), never its modules."""
from mock_kanta.store.db import DuplicateDocument, SchemaMismatch, Store, UnknownTenant
from mock_kanta.store.fastpath import SUMMARY_COLUMNS, PendingDocument, StaleVersion

__all__ = ["Store", "DuplicateDocument", "SchemaMismatch", "UnknownTenant", "PendingDocument", "StaleVersion",
           "SUMMARY_COLUMNS"]
