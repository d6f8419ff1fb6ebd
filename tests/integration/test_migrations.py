"""The schema's Alembic migrations, on SQLite and on PostgreSQL (a throwaway cluster, tests/pgcluster.py): a fresh
database migrated to the newest revision is exactly the store's metadata (every table, column, index and unique
constraint: the revisions keep up with the tables), a database made before Alembic is stamped and keeps its rows,
one migrated by a newer mock-kanta is refused."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine, insert, inspect, select, text

from mock_kanta.store import SchemaMismatch, Store
from mock_kanta.store.engine import engine_url
from mock_kanta.store.migrate import BASELINE, head, scripts
from mock_kanta.store.tables import metadata, schema_info, tenants
from tests.conftest import postgres
from tests.pgcluster import binaries


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/db.sqlite3"
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed")
    return postgres().new_database("migrations")


def test_a_fresh_database_migrated_to_head_is_the_stores_metadata(url):
    store = Store(url)
    store.create_schema()
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
        revision = MigrationContext.configure(conn).get_current_revision()
    assert differences == [], "a table or column of the metadata has no migration: add a revision"
    assert revision == head()
    assert set(inspect(store.engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}


def test_the_migrated_schema_equals_create_all(url, tmp_path):
    """Table by table, the columns (name, type, nullability), indexes and unique constraints that create_all makes."""
    migrated = Store(url)
    migrated.create_schema()
    other = f"sqlite:///{tmp_path}/made.sqlite3" if url.startswith("sqlite") else postgres().new_database("create_all")
    made = create_engine(engine_url(other))
    metadata.create_all(made)
    assert _shape(migrated.engine) == _shape(made)


def test_migrating_twice_changes_nothing_and_keeps_rows(url):
    store = Store(url)
    store.create_schema()
    store.ensure_tenant("kept")
    store.create_schema()
    assert [t["id"] for t in store.tenants()] == ["kept"]


def test_a_database_made_before_alembic_is_stamped_not_rebuilt(tmp_path):
    """Schema version 4 without alembic_version (as every sandbox made before the migrations): its rows stay, the
    tables it lacked are made, and it is at the newest revision."""
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    engine = create_engine(url)
    baseline = scripts().get_revision(BASELINE).module.TABLES
    old = MetaData()
    for name in baseline:
        if name != "verdict_profiles":  # a table added by create_all without a version step
            metadata.tables[name].to_metadata(old)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(schema_info).values(version=4))
        conn.execute(insert(tenants).values(id="old", name="made before", created_at="2026-01-01T00:00:00+00:00",
                                            generation=7))
    store = Store(url)
    store.create_schema()
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head()
        assert conn.execute(select(tenants.c.name, tenants.c.generation)).all() == [("made before", 7)]
        assert conn.execute(select(schema_info.c.version)).scalar() == 4
    assert "verdict_profiles" in inspect(store.engine).get_table_names()


def test_a_database_of_a_newer_mock_kanta_is_refused(url):
    store = Store(url)
    store.create_schema()
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaMismatch, match="newer mock-kanta.*9999"):
        store.create_schema()


def test_another_pre_alembic_version_is_refused(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/v3.sqlite3")
    metadata.tables["schema_info"].create(engine)
    metadata.tables["tenants"].create(engine)
    with engine.begin() as conn:
        conn.execute(insert(schema_info).values(version=3))
    with pytest.raises(SchemaMismatch, match="schema version 3"):
        Store(f"sqlite:///{tmp_path}/v3.sqlite3").create_schema()


def _shape(engine) -> dict:
    found = inspect(engine)
    shape = {}
    for name in sorted(set(found.get_table_names()) - {"alembic_version"}):
        shape[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(name)],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(name)),
            "unique": sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(name)),
            "primary": tuple(found.get_pk_constraint(name)["constrained_columns"]),
            "foreign": sorted((tuple(f["constrained_columns"]), f["referred_table"]) for f in found.get_foreign_keys(name)),
        }
    return shape
