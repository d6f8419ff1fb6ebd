"""Persistence: SQLAlchemy Core over SQLite (default) or PostgreSQL, raw sqlite3 on the archive's hot path.
Every row is tenant-scoped. Only this package speaks SQL, and it imports nothing of mock_kanta but `core`.

The areas import `Store`, its errors and the write path's types from here, and their own queries from
`mock_kanta.store.queries.<area>` (functions of the store returning plain rows and values).

- `store.py`: `Store` (tenants, documents, the write path, cached tenant settings) and `views.TenantView`;
- `engine.py`: the engine, SQLite's settings, schema creation and version;
- `tables/`: every table, one module per area, all on one `metadata`;
- `prepared.py`: statements declared once, run through SQLAlchemy or as SQL text on raw sqlite3;
- `sessions.py`: the two ways to the database (raw sqlite3 on a file, SQLAlchemy) and their write sessions;
- `writer.py`: the one write path of a document (group commit, a savepoint per document) and its thread;
- `queries/`: the queries, one module per area;
- `errors.py`: what the store raises (never a driver's exception).
"""
from mock_kanta.store.errors import (
    ConstraintViolation,
    DuplicateDocument,
    SchemaMismatch,
    StaleVersion,
    StoreUnavailable,
    UnknownTenant,
)
from mock_kanta.store.queries.documents import SUMMARY_COLUMNS
from mock_kanta.store.store import Store
from mock_kanta.store.views import TenantView
from mock_kanta.store.writer import PendingDocument

__all__ = ["SUMMARY_COLUMNS", "ConstraintViolation", "DuplicateDocument", "PendingDocument", "SchemaMismatch", "StaleVersion",
           "Store", "StoreUnavailable", "TenantView", "UnknownTenant"]
