"""Opening the database: the URL, the engine, and bringing the schema up to date.

Nothing is opened at import; `open_database` is called by whoever starts (the action server
on its first action, the web app, the CLI). The schema is created and upgraded by Alembic
(`bot/adapters/storage/migrations`), never by `create_all`, so an existing database is
migrated in place.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, Engine, create_engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Alembic's command API keeps its context in module globals: one migration at a time.
_MIGRATION_LOCK = threading.Lock()
# And one process at a time on a server database: replicas, action servers and web apps of a
# cluster all start at once on the same database (any fixed number, the same everywhere).
_MIGRATION_ADVISORY_LOCK = 7_250_424_153


def default_url() -> str:
    """DATABASE_URL if set, else the embedded default: an SQLite file under var/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'salescoach.db'}"


class Database:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, future=True) as session, session.begin():
            yield session

    def migrate(self) -> None:
        """Upgrade the schema to the newest revision (a no-op when it is up to date)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with _MIGRATION_LOCK, self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":  # held until this transaction ends
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_ADVISORY_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str | None = None, migrate: bool = True) -> Database:
    """An engine for `url` (default: `default_url()`), schema upgraded unless told not to."""
    parsed = make_url(url or default_url())
    prepare_sqlite_file(parsed)
    database = Database(create_database_engine(parsed, future=True))
    if migrate:
        database.migrate()
    return database


def create_database_engine(url: URL, **options: object) -> Engine:
    """The engine every part of the project uses for `url` (Rasa's tracker store included).

    SQLAlchemy 1.4 opens a new SQLite connection for every checkout (NullPool), with the
    pragmas below each time: a tenth of the action server's time per role-play turn. An
    SQLite file is pooled here instead, each connection lent to one thread at a time. A
    server database is pinged before use, so a restarted PostgreSQL costs no failed turn.
    """
    if url.get_backend_name() == "sqlite":
        pooling = {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}
        engine = create_engine(url, **pooling, **options)
        event.listen(engine, "connect", sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def as_utc(moment: datetime) -> datetime:
    """Times are written in UTC; SQLite hands them back without their time zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def prepare_sqlite_file(url: URL) -> None:
    """Create the folder of an SQLite file (var/ on a fresh checkout)."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def sqlite_pragmas(connection, _record) -> None:
    """Set on every SQLite connection of the project (storage and Rasa's tracker store)."""
    # WAL lets the Rasa server, the action server and the web app read while one writes;
    # the busy timeout makes a writer wait for another instead of failing at once.
    # synchronous=NORMAL: in WAL mode a commit still survives a killed process; only a power
    # cut can lose the last commits, and every turn no longer waits for an fsync.
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
