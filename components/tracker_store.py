"""Rasa's SQL tracker store on the project's database (DATABASE_URL, default the embedded
SQLite file), so conversations survive a restart of the Rasa server and sit beside the
role-play records. Rasa's own store wants the URL in pieces; this class takes it whole.

endpoints.yml: `tracker_store: {type: components.tracker_store.DatabaseTrackerStore}`
"""

from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy.engine import make_url

from bot.storage.database import default_url, prepare_sqlite_file


class DatabaseTrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Any = None,
        event_broker: Any = None,
        host: str | None = None,  # Rasa passes the endpoint's `url:`; DATABASE_URL rules
        **kwargs: Any,
    ) -> None:
        url = make_url(default_url())
        prepare_sqlite_file(url)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query),
            **kwargs,
        )
