"""Channel messages already taken, kept in the database.

WeCom delivers a callback again when it had no answer within 5 seconds, also after our server
was restarted, and may reach another Rasa process: a memory of message ids in one process
let such a retry be handled twice (a rep turn stored and scored twice). A message is taken by
inserting its key, set-if-absent, before any work starts; the primary key decides between
concurrent deliveries on any number of processes. Its `handled_at` is set once the rep has
his answer, so a message taken by a server that was then killed is found at the next start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.adapters.storage.database import Database
from bot.adapters.storage.schema import inbound_messages
from bot.clock import utc_now

KEEP_FOR = timedelta(days=2)  # far beyond WeCom's retries (about 15 seconds)


@dataclass(frozen=True)
class Unfinished:
    key: str
    sender: str
    received_at: datetime


class Inbox:
    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._now = clock

    def take(self, channel: str, key: str, sender: str) -> bool:
        """True for the first delivery of `key` on `channel`, False for every later one."""
        try:
            with self._database.transaction() as connection:
                connection.execute(
                    inbound_messages.insert().values(
                        channel=channel, key=key, sender=sender, received_at=self._now()
                    )
                )
        except IntegrityError:
            return False
        return True

    def done(self, channel: str, key: str) -> None:
        with self._database.transaction() as connection:
            connection.execute(
                update(inbound_messages)
                .where(inbound_messages.c.channel == channel, inbound_messages.c.key == key)
                .values(handled_at=self._now())
            )

    def unfinished(
        self, channel: str, older_than: timedelta, within: timedelta
    ) -> list[Unfinished]:
        """Messages taken more than `older_than` ago (longer than any turn takes) but in the
        last `within`, whose handling never finished: the process handling them died. Marked
        finished as they are returned, so only one process deals with each."""
        now = self._now()
        since, until = now - within, now - older_than
        with self._database.transaction() as connection:
            rows = connection.execute(
                select(
                    inbound_messages.c.key,
                    inbound_messages.c.sender,
                    inbound_messages.c.received_at,
                ).where(
                    inbound_messages.c.channel == channel,
                    inbound_messages.c.handled_at.is_(None),
                    inbound_messages.c.received_at >= since,
                    inbound_messages.c.received_at <= until,
                )
            ).all()
            claimed = []
            for row in rows:
                result = connection.execute(
                    update(inbound_messages)
                    .where(
                        inbound_messages.c.channel == channel,
                        inbound_messages.c.key == row.key,
                        inbound_messages.c.handled_at.is_(None),
                    )
                    .values(handled_at=self._now())
                )
                if result.rowcount:
                    claimed.append(Unfinished(row.key, row.sender, row.received_at))
        return claimed

    def prune(self) -> int:
        """Forget messages older than any retry; the number forgotten."""
        with self._database.transaction() as connection:
            result = connection.execute(
                delete(inbound_messages).where(
                    inbound_messages.c.received_at < self._now() - KEEP_FOR
                )
            )
        return result.rowcount
