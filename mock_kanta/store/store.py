"""`Store`: the sandbox's database, rows in, rows out. Knows nothing of XML or rules."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from mock_kanta.store.engine import open_engine, sqlite_file, sqlite_pragmas
from mock_kanta.store.errors import UnknownTenant
from mock_kanta.store.migrate import migrate
from mock_kanta.store.queries.documents import DocumentQueries
from mock_kanta.store.queries.tenants import TenantQueries
from mock_kanta.store.sessions import DirectDatabase, EngineDatabase
from mock_kanta.store.views import TenantView
from mock_kanta.store.writer import GroupWriter, PendingDocument, Result, write_batch


class Store(TenantQueries, DocumentQueries):
    """The database at `url`: `alchemy` reaches it through SQLAlchemy; `hot`, the archive's hot path (its
    lookups, the write path, the access log's appends), through raw sqlite3 when it is an SQLite file,
    else the same as `alchemy`."""

    def __init__(self, url: str, sqlite_synchronous: str = "FULL"):
        self.url = url
        self.engine = open_engine(url, sqlite_synchronous)
        self.alchemy = EngineDatabase(self.engine)
        path = sqlite_file(self.engine)
        self.hot = DirectDatabase(path, sqlite_pragmas(sqlite_synchronous)) if path else self.alchemy
        self._writer: GroupWriter | None = None
        self._views: dict[str, TenantView] = {}

    def create_schema(self) -> None:
        """Create or migrate the tables to the newest revision (store.migrate); SchemaMismatch for a database
        this mock-kanta cannot take."""
        migrate(self.engine)

    @contextmanager
    def exclusive(self, name: str) -> Iterator[None]:
        """Across instances on one PostgreSQL, one holder at a time of the lock `name` (a session-level advisory
        lock on a connection of its own, held while the block runs); elsewhere nothing (an SQLite file has one
        instance, whose processes share the data directory's init lock)."""
        if self.engine.dialect.name != "postgresql":
            yield
            return
        with self.alchemy.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(hashtext(:name))"), {"name": name})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:name))"), {"name": name})
                conn.commit()

    def ping(self) -> bool:
        return self.alchemy.value(text("SELECT 1")) == 1

    def view(self, tenant: str) -> TenantView:
        """The tenant's cached settings, checked against its generation (call once per message);
        UnknownTenant if the tenant does not exist (e.g. deleted by another worker)."""
        view = self._views.get(tenant) or self._views.setdefault(tenant, TenantView(self, tenant))
        if view.refresh().generation is None:
            self._views.pop(tenant, None)
            raise UnknownTenant(tenant)
        return view

    def delete_tenant(self, tenant: str) -> dict[str, int]:
        deleted = super().delete_tenant(tenant)
        self._views.pop(tenant, None)
        return deleted

    @contextmanager
    def transaction(self, within=None) -> Iterator:
        """A write transaction on the hot path's database, its write lock taken first: committed at the end,
        rolled back on an exception. `within`, a transaction already open, is used as it is (its owner
        commits). What the store's write functions take as `session`."""
        if within is not None:
            yield within
            return
        with self.hot.transaction() as session:
            yield session

    # --- the write path ---

    def write_documents(self, batch: list[PendingDocument]) -> list[Result]:
        """Store accepted documents with all they change, and refusals' log rows (see writer.PendingDocument),
        in one transaction and one commit; per item its seq (None for a refusal), or the exception that undid
        it alone (DuplicateDocument, StaleVersion, ConstraintViolation)."""
        return write_batch(self.hot, batch)

    @property
    def writer(self) -> GroupWriter:
        """This process's group-commit writer thread (for concurrent requests; see writer.GroupWriter)."""
        if self._writer is None:
            self._writer = GroupWriter(self.write_documents)
        return self._writer

    def insert_document(self, tenant: str, row: dict) -> int:
        """Store one document row alone in its own transaction; DuplicateDocument if its id exists."""
        [result] = self.write_documents([PendingDocument(tenant, row)])
        if isinstance(result, Exception):
            raise result
        return result
