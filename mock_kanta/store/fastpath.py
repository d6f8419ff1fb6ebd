"""The archive's hot path on raw sqlite3: its lookups and its writes, without SQLAlchemy's per-call cost.

The SQL text is compiled once from the SQLAlchemy tables (the schema stays the single source),
and values go through the same type processors SQLAlchemy would apply, so rows read or written
here are the same as through `Store`. Each thread of each process keeps its own connection
(autocommit mode, the same PRAGMAs as the engine's).

`write` stores a batch of accepted documents in one transaction and one commit (group commit):
`BEGIN IMMEDIATE` takes SQLite's write lock first, so the access log's chain end read in it stays
the chain end until the commit, across worker processes too. Each document runs in a savepoint:
a duplicate id or a stale version undoes only that document, and its result is the exception.
"""
from __future__ import annotations

import os
import queue
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from mock_kanta.store.audit_tables import audit_anchors, audit_events
from mock_kanta.store.schema import documents, matters, register_rights, tenants
from mock_kanta.store.traffic_tables import traffic

_DIALECT = sqlite.dialect(paramstyle="named")
_T, _K = bindparam("tenant"), bindparam("key")

# Columns listed by the archivist view (the raw XML is fetched one document at a time).
SUMMARY_COLUMNS = [c for c in documents.c if c.name not in ("frame_xml", "document_xml")]
# The archive path's lookups, with parameters :tenant and :key: compiled here for raw sqlite3,
# run as they are by `Store` through SQLAlchemy on other databases.
DOCUMENT_SUMMARY = select(*SUMMARY_COLUMNS).where((documents.c.tenant_id == _T) & (documents.c.document_id == _K))
VERSIONS = (select(*SUMMARY_COLUMNS).where((documents.c.tenant_id == _T) & (documents.c.set_id == _K))
            .order_by(documents.c.version, documents.c.seq))
MATTER = select(matters).where((matters.c.tenant_id == _T) & (matters.c.matter_id == _K))
ALL_RIGHTS = (select(register_rights).where((register_rights.c.tenant_id == _T) & (register_rights.c.client_id == _K))
              .order_by(register_rights.c.seq))
RIGHTS = ALL_RIGHTS.where(register_rights.c.replaced_by.is_(None))


class StaleVersion(Exception):
    """The parent of a new version is no longer current: another version won the race."""

    def __init__(self, parent_id: str):
        super().__init__(parent_id)
        self.parent_id = parent_id


@dataclass
class PendingDocument:
    """Everything one accepted document writes, in its own savepoint of the batch's transaction; a
    refusal has no row and writes only its access log event and traffic row."""

    tenant: str
    row: dict | None  # the documents row (without tenant_id); None for a refusal
    parent_id: str | None = None  # a new version supersedes this one (only if still current)
    grants: tuple[str, list[dict]] | None = None  # (relationship id, register_rights rows)
    matter: dict | None = None  # a matter opened by the document, unless known
    audit_row: dict | None = None  # the access log event (audit.event_row), sealed here
    traffic_row: dict | None = None
    granted_at: str = ""  # the real time of granting and of opening the matter


class _Statement:
    """One statement compiled once; the constants in it (a status, a LIMIT) are bound on every call."""

    def __init__(self, stmt):
        compiled = stmt.compile(dialect=_DIALECT)
        self.sql = str(compiled)
        self.constants = {k: v for k, v in compiled.params.items() if v is not None}

    def run(self, conn, params: dict):
        return conn.execute(self.sql, {**self.constants, **params} if self.constants else params)


class _Query(_Statement):
    """One SELECT compiled once, with its columns' result processors."""

    def __init__(self, stmt):
        super().__init__(stmt)
        self.names = [c.name for c in stmt.selected_columns]
        self.procs = [(i, p) for i, c in enumerate(stmt.selected_columns)
                      if (p := c.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)) is not None]

    def rows(self, conn, params) -> list[dict]:
        out = []
        for raw in self.run(conn, params):
            if self.procs:
                raw = list(raw)
                for i, p in self.procs:
                    raw[i] = p(raw[i])
            out.append(dict(zip(self.names, raw)))
        return out

    def one(self, conn, params) -> dict | None:
        rows = self.rows(conn, params)
        return rows[0] if rows else None


_GENERATION = _Statement(select(tenants.c.generation).where(tenants.c.id == _T))
_DOCUMENT = _Query(DOCUMENT_SUMMARY)
_VERSIONS = _Query(VERSIONS)
_MATTER = _Query(MATTER)
_RIGHTS = _Query(RIGHTS)
_SUPERSEDE = _Statement(update(documents).where((documents.c.tenant_id == _T) & (documents.c.document_id == _K)
                                                 & (documents.c.status == "active"))
                        .values(status="replaced", replaced_by=bindparam("new_id")))
_REPLACE_RIGHTS = _Statement(update(register_rights).where((register_rights.c.tenant_id == _T)
                                                           & (register_rights.c.relationship_id == _K)
                                                           & register_rights.c.replaced_by.is_(None))
                             .values(replaced_by=bindparam("new_id")))
_CHAIN_END = _Statement(select(audit_events.c.hash).where(audit_events.c.tenant_id == _T)
                        .order_by(audit_events.c.seq.desc()).limit(1))
_ANCHOR = _Statement(select(audit_anchors.c.anchor_hash).where(audit_anchors.c.tenant_id == _T)
                     .order_by(audit_anchors.c.purged_through_seq.desc()).limit(1))


@lru_cache(maxsize=64)
def _insert_sql(table: Table, keys: tuple[str, ...], ignore_existing: bool = False) -> str:
    stmt = sqlite_insert(table).on_conflict_do_nothing() if ignore_existing else insert(table)
    return str(stmt.compile(dialect=_DIALECT, column_keys=list(keys)))


@lru_cache(maxsize=16)
def _binders(table: Table) -> tuple[tuple[str, object], ...]:
    """(column, bind processor) of the table's columns that have one (dates, booleans)."""
    return tuple((c.name, p) for c in table.c if (p := c.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)) is not None)


def _bound(table: Table, row: dict) -> dict:
    for name, p in _binders(table):
        if name in row:
            row[name] = p(row[name])
    return row


def _insert(conn, table: Table, row: dict, ignore_existing: bool = False):
    return conn.execute(_insert_sql(table, tuple(row), ignore_existing), _bound(table, row))


class FastPath:
    """Raw sqlite3 access to one database file, one connection per thread and process."""

    def __init__(self, path: str, synchronous: str):
        self.path, self.synchronous = path, synchronous.upper()
        self._local = threading.local()

    def conn(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # never share a connection across a fork
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self.synchronous}")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=5000")
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    # --- reads -----------------------------------------------------------------------------

    def generation(self, tenant: str) -> int | None:
        row = _GENERATION.run(self.conn(), {"tenant": tenant}).fetchone()
        return row[0] if row else None

    def document(self, tenant: str, document_id: str) -> dict | None:
        return _DOCUMENT.one(self.conn(), {"tenant": tenant, "key": document_id})

    def versions(self, tenant: str, set_id: str) -> list[dict]:
        return _VERSIONS.rows(self.conn(), {"tenant": tenant, "key": set_id})

    def matter(self, tenant: str, matter_id: str) -> dict | None:
        return _MATTER.one(self.conn(), {"tenant": tenant, "key": matter_id})

    def rights(self, tenant: str, client_id: str) -> list[dict]:
        return _RIGHTS.rows(self.conn(), {"tenant": tenant, "key": client_id})

    # --- the batch write -------------------------------------------------------------------------

    def write(self, batch: Sequence[PendingDocument]) -> list[int | None | Exception]:
        """Store the batch in one transaction; per document its seq (None for a refusal), or the exception
        that undid it (DuplicateDocument, StaleVersion, IntegrityError). A failure of the whole transaction raises."""
        from mock_kanta.audit.service import chain_hash

        conn = self.conn()
        results: list[int | Exception] = []
        heads: dict[str, str] = {}  # tenant -> the access log's chain end, within this transaction
        conn.execute("BEGIN IMMEDIATE")
        try:
            for item in batch:
                conn.execute("SAVEPOINT doc")
                try:
                    results.append(self._write_one(conn, item, heads, chain_hash))
                    conn.execute("RELEASE doc")
                except (sqlite3.IntegrityError, StaleVersion) as exc:
                    conn.execute("ROLLBACK TO doc")
                    conn.execute("RELEASE doc")
                    heads.pop(item.tenant, None)  # read again: this document's event was undone
                    results.append(self._failure(item, exc))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return results

    def _write_one(self, conn, item: PendingDocument, heads: dict[str, str], chain_hash) -> int | None:
        tenant = item.tenant
        seq = None if item.row is None else _insert(conn, documents, {"tenant_id": tenant, **item.row}).lastrowid
        if item.parent_id is not None:
            if _SUPERSEDE.run(conn, {"tenant": tenant, "key": item.parent_id, "new_id": item.row["document_id"]}).rowcount != 1:
                raise StaleVersion(item.parent_id)
        if item.grants:
            relationship, rows = item.grants
            _REPLACE_RIGHTS.run(conn, {"tenant": tenant, "key": relationship, "new_id": item.row["document_id"]})
            for row in rows:
                _insert(conn, register_rights, {"tenant_id": tenant, "relationship_id": relationship,
                                                "granted_at": item.granted_at, **row})
        if item.matter is not None:
            _insert(conn, matters, {"tenant_id": tenant, "created_at": item.granted_at, **item.matter}, ignore_existing=True)
        if item.audit_row is not None:
            row = dict(item.audit_row)
            row["prev_hash"] = heads[tenant] if tenant in heads else _chain_end(conn, tenant)
            row["hash"] = heads[tenant] = chain_hash(row)
            _insert(conn, audit_events, row)
        if item.traffic_row is not None:
            _insert(conn, traffic, dict(item.traffic_row))
        return seq

    def _failure(self, item: PendingDocument, exc: Exception) -> Exception:
        from mock_kanta.store.db import DuplicateDocument

        if isinstance(exc, StaleVersion):
            return exc
        if item.row is None:  # a refusal's rows: the tenant was deleted meanwhile
            return IntegrityError("INSERT INTO audit_events / traffic", None, exc)
        existing = self.document(item.tenant, item.row["document_id"])
        if existing is not None:
            return DuplicateDocument(item.row["document_id"], existing)
        return IntegrityError("INSERT INTO documents", None, exc)  # e.g. the tenant was deleted meanwhile


def _chain_end(conn, tenant: str) -> str:
    """The hash the next event links to: the last event's, else the newest anchor's, else ""."""
    for statement in (_CHAIN_END, _ANCHOR):
        row = statement.run(conn, {"tenant": tenant}).fetchone()
        if row is not None:
            return row[0]
    return ""


class GroupWriter:
    """One writer thread per process: it takes every accepted document queued meanwhile (up to
    `max_batch`), writes them all in one transaction with one commit (one fsync), then resolves each
    one's future. A request is acknowledged only after its future resolves, so after its commit;
    the event loop checks the next documents while SQLite syncs."""

    def __init__(self, write, max_batch: int = 64):
        self._write, self.max_batch = write, max_batch
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pid: int | None = None
        self._lock = threading.Lock()
        self.batches = self.documents = 0  # counters, for the bench and the tests

    def submit(self, item: PendingDocument) -> Future:
        """A future of the document's seq (or the exception that refused it)."""
        if self._pid != os.getpid():
            self._start()
        future: Future = Future()
        self._queue.put((item, future))
        return future

    def _start(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # never started, or inherited across a fork without its thread
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, args=(self._queue,), name="mock-kanta-group-writer", daemon=True).start()
                self._pid = os.getpid()

    def _run(self, q: queue.SimpleQueue) -> None:
        while True:
            batch = [q.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            try:
                results = self._write([item for item, _ in batch])
            except BaseException as exc:  # the whole transaction failed: every request gets the error
                for _, future in batch:
                    future.set_exception(exc)
                continue
            self.batches, self.documents = self.batches + 1, self.documents + len(batch)
            for (_, future), result in zip(batch, results):
                future.set_result(result)
