"""Alembic's environment for developers' `alembic` commands (-x url=...); the sandbox itself migrates through
mock_kanta.store.migrate, which hands its own connection in `config.attributes["connection"]`."""
from alembic import context
from sqlalchemy import create_engine

from mock_kanta.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = context.get_x_argument(as_dictionary=True)["url"]
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
