"""Rasa's SQL tracker store on the project's database (DATABASE_URL, default the embedded
SQLite file), so conversations survive a restart of the Rasa server and sit beside the
role-play records. Rasa's own store wants the URL in pieces; this class takes it whole.

Rasa's store reloads and re-parses a conversation's events and counts its stored rows on
every turn, over a fresh SQLite connection each time: a third of the server's time per turn
at ten concurrent role-plays. This one keeps the conversations it served last in memory
and checks with one indexed query (the newest row id of the sender) that nobody else wrote
since, so a second Rasa process or a restart still reads the database; SQLite connections
are pooled and carry the project's pragmas. It keeps the event objects themselves, not their
JSON, and of a long conversation only what a turn needs: its last few messages after the slot
values they started from (`_recent_part`), so a turn costs the same at message 100 as at
message 10, while every event is still written to the database. Rasa treats events as values
once created, so a tracker rebuilt from the same objects is the one it saved, and a save
writes the events after those the handed-out conversation already had.

A dropped database connection (a restarted PostgreSQL, a terminated backend) costs no turn:
connections are pinged before use on every backend (Rasa's own engine is replaced) and a read
or write that fails on a connection is tried once more on a fresh one. A store that still
cannot read a conversation raises, and `channels.delivery` makes that fail the turn with a
"please resend" instead of Rasa's fallback, which answered from an empty conversation and
saved the blank over the stored one.

On its first conversation (the model is loaded by then) the store also moves everything the
server built at start-up out of the garbage collector's sight (`gc.freeze`): the model is
millions of objects that never die, and each full collection scanned them all, a 250 ms pause
every twenty seconds or so under load that every conversation in flight waited for.

endpoints.yml: `tracker_store: {type: bot.adapters.tracker_store.DatabaseTrackerStore}`
"""

from __future__ import annotations

import gc
import itertools
import json
import logging
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from bot.adapters.storage.database import create_database_engine, default_url, prepare_sqlite_file

logger = logging.getLogger(__name__)
RECENT_CONVERSATIONS = 256
# A conversation is handed to Rasa as its last RECENT_TURNS messages, after the slot values
# it had before them, once it holds more than MAX_EVENTS events: every turn then costs the
# same however long the visit (see `_recent_part`).
RECENT_TURNS = 4
MAX_EVENTS = 64


class _HandedOut(DialogueStateTracker):
    """A conversation as this store handed it to Rasa: `stored` of its events (the first
    ones) are in the database, so a save writes the others, without counting rows."""

    stored: int = 0


@dataclass(frozen=True)
class _Recent:
    """A conversation as last read or written by this process."""

    last_id: int  # newest events row of the sender at that moment
    events: tuple[Event, ...]  # what Rasa is handed: `_recent_part` of the current session


def sql_store_settings(url: URL) -> dict[str, Any]:
    """A database URL in the pieces Rasa's SQLTrackerStore takes."""
    return {
        "dialect": url.drivername,
        "host": url.host,
        "port": url.port,
        "db": url.database,
        "username": url.username,
        "password": url.password,
        "query": dict(url.query),
    }


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
            domain=domain, event_broker=event_broker, **sql_store_settings(url), **kwargs
        )
        # The project's engine: SQLite pooled with its pragmas, a server pinged before use.
        self.engine.dispose()
        self.engine: sa.engine.Engine = create_database_engine(url)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._recent: OrderedDict[str, _Recent] = OrderedDict()
        self._heap_frozen = False

    def _last_id(self, sender_id: str) -> int | None:
        """The newest stored event row of the sender (a Core query: no ORM session needed)."""
        events = self.SQLEvent.__table__
        query = sa.select(sa.func.max(events.c.id)).where(events.c.sender_id == sender_id)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        try:
            return await self._read(sender_id)
        except DBAPIError as error:
            logger.warning("reading conversation %s failed (%s); trying again", sender_id, error)
            return await self._read(sender_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa streams a turn's events to the event broker before writing them, after
        reading the whole conversation back to find them; `save` publishes them after they
        are stored instead, so a consumer never sees a turn the database refused."""

    async def save(self, tracker: DialogueStateTracker) -> None:
        unsaved = (
            list(itertools.islice(tracker.events, tracker.stored, len(tracker.events)))
            if isinstance(tracker, _HandedOut)
            else None
        )
        if unsaved is None:  # not one this store handed out (an API call): Rasa's own way
            await super().stream_events(tracker)
        await self._write(tracker)
        if unsaved and self.event_broker is not None:
            await self._stream_new_events(self.event_broker, unsaved, tracker.sender_id)

    async def _write(self, tracker: DialogueStateTracker) -> None:
        try:
            await super().save(tracker)
        except DBAPIError as error:  # rolled back: nothing of it was written
            logger.warning(
                "saving conversation %s failed (%s); trying again", tracker.sender_id, error
            )
            await super().save(tracker)
        if isinstance(tracker, _HandedOut):  # saved again later, it writes only what is new
            tracker.stored = len(tracker.events)
        try:
            last_id = self._last_id(tracker.sender_id)
        except DBAPIError:  # saved, but not remembered: the next read goes to the database
            self._recent.pop(tracker.sender_id, None)
            return
        if last_id is not None:
            self._remember(tracker.sender_id, list(tracker.events), last_id)

    async def _read(self, sender_id: str) -> DialogueStateTracker | None:
        if not self._heap_frozen:
            gc.freeze()
            self._heap_frozen = True
        last_id = self._last_id(sender_id)
        recent = self._recent.get(sender_id)
        if recent is None or last_id != recent.last_id:
            stored = await super().retrieve(sender_id)
            if stored is None or last_id is None:
                self._recent.pop(sender_id, None)
                return stored
            recent = self._remember(sender_id, list(stored.events), last_id)
        self._recent.move_to_end(sender_id)
        tracker = _HandedOut(
            sender_id,
            self.domain.slots if self.domain else None,
            max_event_history=self.max_event_history,
        )
        tracker.recreate_from_dialogue(Dialogue(sender_id, list(recent.events)))
        tracker.stored = len(recent.events)
        return tracker

    def rehearse(self, sender_id: str) -> None:
        """Run what a new conversation's first save runs (the count of its stored rows, the
        insert of an event) in a transaction that is rolled back: the statements are compiled
        before the first rep arrives (about 20 ms on the first save), and nothing is kept."""
        tracker = self.init_tracker(sender_id)
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        with self.session_scope() as session:
            for event in super()._additional_events(session, tracker):
                data = event.as_dict()
                row = self.SQLEvent(
                    sender_id=sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=None,
                    action_name=data.get("name"),
                    data=json.dumps(data),
                )
                session.add(row)
            session.flush()
            session.rollback()

    def _additional_events(self, session: Session, tracker: DialogueStateTracker) -> Iterator:
        """The events Rasa's save writes: those after the ones stored, for a conversation
        this store handed out (Rasa's own count of the stored rows for any other)."""
        if isinstance(tracker, _HandedOut):
            return itertools.islice(tracker.events, tracker.stored, len(tracker.events))
        return super()._additional_events(session, tracker)

    def _remember(self, sender_id: str, events: list[Event], last_id: int) -> _Recent:
        recent = _Recent(last_id, tuple(self._recent_part(sender_id, _current_session(events))))
        self._recent[sender_id] = recent
        self._recent.move_to_end(sender_id)
        while len(self._recent) > RECENT_CONVERSATIONS:
            self._recent.popitem(last=False)
        return recent

    def _recent_part(self, sender_id: str, events: list[Event]) -> list[Event]:
        """The conversation Rasa needs for a turn: beyond MAX_EVENTS, its last RECENT_TURNS
        messages (with the actions and slots they led to, taken-back ones left out) after
        one SlotSet per slot for the values it had before them.

        Rasa reads the whole conversation on every turn (its policies replay every earlier
        state, the action server receives every event): a 100-turn role-play took 3.9 times
        a first turn. What it decides from is the slots and the last few states, which this
        part holds as the whole would (tests/unit/test_tracker_store.py); /back takes back two
        messages, within the part. The database keeps every event and Rasa's API reads them
        all (`retrieve_full_tracker`).
        """
        if len(events) <= MAX_EVENTS:
            return events
        whole = self.init_tracker(sender_id)
        whole.recreate_from_dialogue(Dialogue(sender_id, events))
        applied = whole.applied_events()
        messages = [index for index, event in enumerate(applied) if isinstance(event, UserUttered)]
        if len(messages) <= RECENT_TURNS:
            return events
        cut = messages[-RECENT_TURNS]
        listen = applied[cut - 1]
        if isinstance(listen, ActionExecuted) and listen.action_name == ACTION_LISTEN_NAME:
            cut -= 1  # the listen before a message is part of its turn
        before = self.init_tracker(sender_id)
        for event in applied[:cut]:
            before.update(event)
        moment = applied[cut].timestamp
        values: list[Event] = [
            SlotSet(slot.name, slot.value, timestamp=moment)
            for slot in before.slots.values()
            if slot.value != slot.initial_value
        ]
        if before.active_loop_name:
            values.append(ActiveLoop(before.active_loop_name, timestamp=moment))
        return values + applied[cut:]


def _current_session(events: list[Event]) -> list[Event]:
    """What Rasa's SQL store would read back: events stamped at or after the newest
    SessionStarted, or all of them before the first session starts."""
    starts = [event.timestamp for event in events if isinstance(event, SessionStarted)]
    if not starts:
        return events
    latest = max(starts)
    return [event for event in events if event.timestamp >= latest]
