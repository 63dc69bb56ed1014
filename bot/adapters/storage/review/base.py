"""The state the review's parts share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.adapters.storage.database import Database
from bot.clock import utc_now


class ReviewBase:
    """The database and clock every part of the review reads with."""

    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._now = clock
