"""The schema's Alembic migrations (`versions/`), run at every start by `store.migrate.migrate`, under the data
directory's init lock and, on PostgreSQL, an advisory lock (several instances may start at once).

A schema change is a new revision in `versions/`: write it by hand or start from
`alembic -c mock_kanta/store/migrations/alembic.ini -x url=sqlite:///x.sqlite3 revision --autogenerate -m "..."`
(tests/integration/test_migrations.py fails while the revisions do not make every table on the store's `metadata`)."""
