"""The schema, brought to what this mock-kanta needs with Alembic (`migrations/versions/`), at every start.

A fresh database gets every revision. A database made before Alembic (its `schema_info` row at version 4, no
`alembic_version` table) is adopted: the baseline's tables it lacks are created (tables used to be added by
`create_all` without a version step), then it is stamped with the baseline revision, not rebuilt. A database of
another pre-Alembic version, or migrated by a newer mock-kanta than this one, is refused with `SchemaMismatch`.
On PostgreSQL the whole run holds a transaction-scoped advisory lock, so instances starting at once migrate
one after the other (the data directory's init lock serialises the processes of one instance)."""
from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection, Engine

from mock_kanta.store.errors import SchemaMismatch
from mock_kanta.store.tables import metadata, schema_info

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"
PRE_ALEMBIC_VERSION = 4  # schema_info.version of the last schema before Alembic, the baseline's
MIGRATE_LOCK = 0x6D6B6D69  # pg_advisory_xact_lock key of the migration ("mkmi")


def config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    return scripts().get_current_head()


def migrate(engine: Engine) -> str:
    """Bring the database to the newest revision; that revision. SchemaMismatch for a database this mock-kanta
    cannot take."""
    script = scripts()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK})
        current = MigrationContext.configure(conn).get_current_revision()
        if current is None:
            _adopt_pre_alembic(conn, engine)
        else:
            _check_known(script, current, engine)
            _check_version_row(conn, engine)
        env = EnvironmentContext(config(), script, fn=lambda rev, _ctx: script._upgrade_revs("head", rev),
                                 destination_rev="head")
        with env:
            env.configure(connection=conn, target_metadata=metadata)
            with env.begin_transaction():
                env.run_migrations()
        return MigrationContext.configure(conn).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _adopt_pre_alembic(conn: Connection, engine: Engine) -> None:
    existing = set(inspect(conn).get_table_names())
    if not existing:
        return  # a fresh database: every revision runs
    version = conn.execute(select(schema_info.c.version)).scalar() if "schema_info" in existing else None
    if version is None and "tenants" in existing:
        version = 1  # made before schema_info existed
    if version is not None and version != PRE_ALEMBIC_VERSION:
        raise _other_version(engine, version)
    if version is None:
        return  # tables of something else, none of ours: every revision runs (and fails loudly on a clash)
    baseline = scripts().get_revision(BASELINE).module.TABLES
    metadata.create_all(conn, tables=[metadata.tables[name] for name in baseline if name not in existing])
    MigrationContext.configure(conn).stamp(scripts(), BASELINE)


def _check_version_row(conn: Connection, engine: Engine) -> None:
    """schema_info stays at the baseline's version (what a mock-kanta of before Alembic checks): another value
    was written by something else."""
    version = conn.execute(select(schema_info.c.version)).scalar()
    if version != PRE_ALEMBIC_VERSION:
        raise _other_version(engine, version)


def _other_version(engine: Engine, version) -> SchemaMismatch:
    return SchemaMismatch(
        f"the database {_name(engine)} has schema version {version}, this mock-kanta needs "
        f"{PRE_ALEMBIC_VERSION} or a migrated one; move the data directory aside (its documents stay readable "
        "in the old file) and start again")


def _check_known(script: ScriptDirectory, current: str, engine: Engine) -> None:
    try:
        script.get_revision(current)
    except CommandError:
        raise SchemaMismatch(
            f"the database {_name(engine)} was migrated by a newer mock-kanta (revision {current}); this one knows "
            f"revisions up to {script.get_current_head()}: run the newer version") from None


def _name(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
