"""The database: its SQLAlchemy engine (an SQLite file, or PostgreSQL through psycopg 3) and the settings every
SQLite connection gets. The schema is made and migrated by `migrate.py` (Alembic)."""
from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

SCHEMA_VERSION = 4  # schema_info's row: the last version before Alembic (migrate.PRE_ALEMBIC_VERSION)
SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


def sqlite_pragmas(synchronous: str) -> tuple[str, ...]:
    """What every SQLite connection runs first, through SQLAlchemy or direct: WAL, the durability asked for,
    foreign keys enforced, and a wait for another writer's lock instead of an error."""
    if synchronous.upper() not in SYNCHRONOUS_MODES:
        raise ValueError(f"bad sqlite synchronous mode {synchronous}")
    return ("PRAGMA journal_mode=WAL", f"PRAGMA synchronous={synchronous.upper()}", "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=5000")


def run_pragmas(dbapi_conn, pragmas: tuple[str, ...]) -> None:
    cursor = dbapi_conn.cursor()
    for pragma in pragmas:
        cursor.execute(pragma)
    cursor.close()


def engine_url(url: str) -> str:
    """The URL SQLAlchemy is given: postgresql:// (and postgres://) go through psycopg 3."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain):]
    return url


def open_engine(url: str, synchronous: str) -> Engine:
    url = engine_url(url)
    if url.startswith("postgresql"):
        # Checked out connections are tested first: a restarted PostgreSQL does not fail the next request.
        return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        pragmas = sqlite_pragmas(synchronous)
        event.listen(engine, "connect", lambda dbapi_conn, _record: run_pragmas(dbapi_conn, pragmas))
    return engine


def sqlite_file(engine: Engine) -> str | None:
    """The engine's SQLite database file, or None (another database, one in memory, or a URI)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    return path if path and path != ":memory:" and not path.startswith("file:") else None
