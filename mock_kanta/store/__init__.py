"""Persistence: SQLAlchemy Core over SQLite (default) or PostgreSQL. Every row is tenant-scoped."""
from mock_kanta.store.db import DuplicateDocument, SchemaMismatch, Store

__all__ = ["Store", "DuplicateDocument", "SchemaMismatch"]
