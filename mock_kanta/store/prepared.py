"""Statements declared once, from the tables (the schema stays the single source), that run on every database:
through SQLAlchemy as they are, and on an SQLite file as SQL text compiled once for raw sqlite3, with the
values through the same type processors SQLAlchemy would apply (dates, booleans), so rows read or written
either way are the same. Parameters are named (`:tenant`, `:key`, ...)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Table, bindparam, insert
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

SQLITE = sqlite.dialect(paramstyle="named")
TENANT, KEY = bindparam("tenant"), bindparam("key")  # the parameters most lookups take


class Prepared:
    """One statement; the constants in it (a status, a LIMIT) are bound on every call of its SQLite text."""

    def __init__(self, statement):
        self.statement = statement
        compiled = statement.compile(dialect=SQLITE)
        self.sql = str(compiled)
        self.constants = {k: v for k, v in compiled.params.items() if v is not None}
        columns = list(getattr(statement, "selected_columns", ()))
        self.names = [c.name for c in columns]
        self.processors = [(i, p) for i, c in enumerate(columns)
                           if (p := c.type.dialect_impl(SQLITE).result_processor(SQLITE, None)) is not None]

    def run_sqlite(self, conn, params: dict):
        """The statement on a raw sqlite3 connection: its cursor."""
        return conn.execute(self.sql, {**self.constants, **params} if self.constants else params)

    def rows_sqlite(self, conn, params: dict) -> list[dict]:
        out = []
        for raw in self.run_sqlite(conn, params):
            if self.processors:
                raw = list(raw)
                for i, process in self.processors:
                    raw[i] = process(raw[i])
            out.append(dict(zip(self.names, raw)))
        return out


@lru_cache(maxsize=64)
def insert_sqlite(table: Table, keys: tuple[str, ...], ignore_existing: bool = False) -> str:
    """The SQLite text of an INSERT of these columns (ignoring a row whose key exists, if asked)."""
    stmt = sqlite_insert(table).on_conflict_do_nothing() if ignore_existing else insert(table)
    return str(stmt.compile(dialect=SQLITE, column_keys=list(keys)))


@lru_cache(maxsize=32)
def binders(table: Table) -> tuple[tuple[str, object], ...]:
    """(column, bind processor) of the table's columns that have one on SQLite (dates, booleans)."""
    return tuple((c.name, p) for c in table.c if (p := c.type.dialect_impl(SQLITE).bind_processor(SQLITE)) is not None)


def bound_sqlite(table: Table, row: dict) -> dict:
    """The row's values as raw sqlite3 takes them (a copy)."""
    out = dict(row)
    for name, process in binders(table):
        if name in out:
            out[name] = process(out[name])
    return out
