"""The two ways the store reaches its database, with the same operations: `DirectDatabase`, raw sqlite3 on an
SQLite file (the archive's hot path, without SQLAlchemy's per-call cost), and `EngineDatabase`, SQLAlchemy on
any database. Each gives reads of a `Prepared` statement and write transactions (`transaction()`) whose
session runs the write path's steps (`writer.py`): rows, a value, an UPDATE or DELETE, an INSERT, a savepoint,
the access log chain's lock. A transaction takes the database's write lock first (SQLite: BEGIN IMMEDIATE;
PostgreSQL: an advisory lock per tenant's chain), so what it reads of the chain stays true until its commit,
across worker processes too. No driver error comes out: a constraint failure is ConstraintViolation, a database
that cannot answer (locked past the busy timeout, full, gone) StoreUnavailable.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Table, and_, bindparam, insert, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from mock_kanta.store.engine import run_pragmas
from mock_kanta.store.errors import ConstraintViolation, StoreUnavailable
from mock_kanta.store.prepared import Prepared, bound_sqlite, insert_sqlite

_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:key))")


def lock_chain_of(conn: Connection, tenant: str) -> None:
    """On PostgreSQL, the tenant's access-log chain lock until the transaction ends (a reset or deletion takes
    it too, so no writer links an event to a chain end the reset removed); nothing elsewhere."""
    if conn.dialect.name == "postgresql":
        conn.execute(_CHAIN_LOCK, {"key": f"mock-kanta-audit/{tenant}"})


def translated(exc: Exception) -> Exception:
    """The store's exception for a driver's error (a programming error stays itself: it is a bug)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(exc, (sqlite3.IntegrityError, IntegrityError, DataError)):  # DataError: PostgreSQL refused a value
        return ConstraintViolation(orig)  # (longer than its column, a NUL character, out of range)
    if isinstance(exc, (sqlite3.OperationalError, OperationalError)):
        return StoreUnavailable(orig)
    return exc


class DirectSession:
    """One transaction on a raw sqlite3 connection (begun IMMEDIATE: the write lock is held from the start)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.chain_heads: dict[str, str] = {}  # tenant -> the access log's chain end, within this transaction

    def rows(self, p: Prepared, **params) -> list[dict]:
        return p.rows_sqlite(self.conn, params)

    def value(self, p: Prepared, **params):
        row = p.run_sqlite(self.conn, params).fetchone()
        return row[0] if row else None

    def run(self, p: Prepared, **params) -> int:
        """An UPDATE or DELETE: the rows it changed."""
        return p.run_sqlite(self.conn, params).rowcount

    def insert(self, table: Table, row: dict, *, ignore_existing: bool = False) -> int:
        """Insert the row (or nothing if `ignore_existing` and its key is there); its seq."""
        return self.conn.execute(insert_sqlite(table, tuple(row), ignore_existing), bound_sqlite(table, row)).lastrowid

    def lock_chain(self, tenant: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE took SQLite's one write lock."""

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """What runs inside is undone alone when it raises (ConstraintViolation for a constraint failure)."""
        self.conn.execute("SAVEPOINT doc")
        try:
            yield
        except BaseException as exc:
            self.conn.execute("ROLLBACK TO doc")
            self.conn.execute("RELEASE doc")
            self.chain_heads.clear()  # read again: an undone event may have moved a chain end
            if isinstance(exc, sqlite3.IntegrityError):
                raise translated(exc) from exc
            raise
        self.conn.execute("RELEASE doc")


class DirectDatabase:
    """An SQLite file through raw sqlite3: one connection per thread and process (in autocommit mode, with
    the engine's PRAGMAs), never shared across a fork."""

    def __init__(self, path: str, pragmas: tuple[str, ...]):
        self.path, self.pragmas = path, pragmas
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            run_pragmas(conn, self.pragmas)
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    def rows(self, p: Prepared, **params) -> list[dict]:
        try:
            return p.rows_sqlite(self.connection(), params)
        except sqlite3.Error as exc:
            raise translated(exc) from exc

    def value(self, p: Prepared, **params):
        try:
            row = p.run_sqlite(self.connection(), params).fetchone()
        except sqlite3.Error as exc:
            raise translated(exc) from exc
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[DirectSession]:
        conn = self.connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield DirectSession(conn)
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise translated(exc) from exc
            raise


class EngineSession:
    """One transaction on a SQLAlchemy connection."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.chain_heads: dict[str, str] = {}

    def rows(self, p: Prepared, **params) -> list[dict]:
        return [dict(r._mapping) for r in self.conn.execute(p.statement, params)]

    def value(self, p: Prepared, **params):
        return self.conn.execute(p.statement, params).scalar()

    def run(self, p: Prepared, **params) -> int:
        return self.conn.execute(p.statement, params).rowcount

    def insert(self, table: Table, row: dict, *, ignore_existing: bool = False) -> int | None:
        if ignore_existing and self.conn.dialect.name == "postgresql":  # one statement, safe against a racing insert
            done = self.conn.execute(_insert_or_nothing(table), row)
            return done.inserted_primary_key[0] if done.rowcount else None
        if ignore_existing and self.conn.execute(_key_lookup(table), row).first() is not None:
            return None
        return self.conn.execute(_insert(table), row).inserted_primary_key[0]

    def lock_chain(self, tenant: str) -> None:
        """On PostgreSQL an INSERT does not serialise writers: a transaction-scoped advisory lock per tenant's
        chain does (SQLite's write lock was taken when the transaction began)."""
        lock_chain_of(self.conn, tenant)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        nested = self.conn.begin_nested()
        try:
            yield
        except BaseException as exc:
            nested.rollback()
            self.chain_heads.clear()
            if isinstance(exc, IntegrityError):
                raise translated(exc) from exc
            raise
        nested.commit()


class EngineDatabase:
    """Any database through SQLAlchemy: the prepared statements as they are, and any other query."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def rows(self, query, **params) -> list[dict]:
        with self.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(_statement(query), params)]

    def first(self, query, **params) -> dict | None:
        with self.connect() as conn:
            row = conn.execute(_statement(query), params).first()
            return dict(row._mapping) if row is not None else None

    def value(self, query, **params):
        with self.connect() as conn:
            return conn.execute(_statement(query), params).scalar()

    def connect(self):
        """A connection for reads (a context manager)."""
        return _translating(self.engine.connect())

    def begin(self):
        """A transaction of SQLAlchemy statements (a context manager: committed at the end, rolled back on an
        exception)."""
        return _translating(self.engine.begin())

    @contextmanager
    def transaction(self) -> Iterator[EngineSession]:
        """A write transaction of the write path's steps, SQLite's write lock taken first."""
        with self.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield EngineSession(conn)


@contextmanager
def _translating(context) -> Iterator[Connection]:
    try:
        with context as conn:
            yield conn
    except DBAPIError as exc:
        raise translated(exc) from exc


def _statement(query):
    return query.statement if isinstance(query, Prepared) else query


@lru_cache(maxsize=32)
def _insert(table: Table):
    return insert(table)


@lru_cache(maxsize=32)
def _insert_or_nothing(table: Table):
    return postgresql_insert(table).on_conflict_do_nothing()


@lru_cache(maxsize=32)
def _key_lookup(table: Table):
    """SELECT of the row with the primary key of the parameters' row."""
    key = table.primary_key.columns
    return select(*key).where(and_(*(c == bindparam(c.name) for c in key)))
