"""The database: its SQLAlchemy engine, the settings every SQLite connection gets, and the schema
(created, its version checked)."""
from __future__ import annotations

from sqlalchemy import create_engine, event, func, insert, select
from sqlalchemy.engine import Engine

from mock_kanta.store.errors import SchemaMismatch
from mock_kanta.store.tables import metadata, schema_info, tenants

SCHEMA_VERSION = 4
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


def open_engine(url: str, synchronous: str) -> Engine:
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        pragmas = sqlite_pragmas(synchronous)
        event.listen(engine, "connect", lambda dbapi_conn, _record: run_pragmas(dbapi_conn, pragmas))
    return engine


def sqlite_file(engine: Engine) -> str | None:
    """The engine's SQLite database file, or None (another database, one in memory, or a URI)."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    return path if path and path != ":memory:" and not path.startswith("file:") else None


def create_schema(engine: Engine) -> None:
    """Create the tables; refuse a database written by another schema version (no migrations yet)."""
    metadata.create_all(engine)
    with engine.begin() as conn:
        version = conn.execute(select(schema_info.c.version)).scalar()
        if version is None and conn.execute(select(func.count()).select_from(tenants)).scalar():
            version = 1  # made before schema_info existed
        if version is None:
            conn.execute(insert(schema_info).values(version=SCHEMA_VERSION))
        elif version != SCHEMA_VERSION:
            raise SchemaMismatch(
                f"the database {engine.url.render_as_string(hide_password=True)} has schema version {version}, "
                f"this mock-kanta needs {SCHEMA_VERSION}; move the data directory aside (its documents stay "
                "readable in the old file) and start again"
            )
