"""Alembic environment: runs migrations on the connection `Database.migrate` hands over, or
on DATABASE_URL (default: the embedded SQLite file) when run from the alembic CLI."""

from alembic import context
from sqlalchemy.engine import create_engine

from bot.adapters.storage.database import default_url
from bot.adapters.storage.schema import metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(default_url(), future=True).begin() as own_connection:
        _run(own_connection)
