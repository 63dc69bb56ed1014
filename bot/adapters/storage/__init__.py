"""Where sessions, turns, assessments, reports, users and comments are kept (SQLAlchemy 1.4,
2.0-style API; SQLite by default, PostgreSQL when DATABASE_URL says so; Alembic migrations)."""

from bot.adapters.storage.database import Database, default_url, open_database
from bot.adapters.storage.records import Storage

__all__ = ["Database", "Storage", "default_url", "open_database"]
