"""The Rasa tracker store on the project's database: it keeps recent conversations in
memory, so it must read back exactly what Rasa's own SQL store reads from the same database,
also when another Rasa process wrote in between. On SQLite and, when TEST_POSTGRES_URL
names a server, on PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.tracker_store import MAX_EVENTS, DatabaseTrackerStore, sql_store_settings
from harness.rasa_processes import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sa.engine.URL:
    """The database both stores use (DATABASE_URL, as the servers read it)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'salescoach.db'}"
    else:
        url = os.environ.get("TEST_POSTGRES_URL")
        if not url:
            pytest.skip("TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1/test)")
    monkeypatch.setenv("DATABASE_URL", url)
    return sa.engine.make_url(url)


@pytest.fixture
def sender() -> str:
    """A conversation of its own, as a PostgreSQL database outlives the test."""
    return f"rep-{uuid.uuid4().hex[:8]}"


def _say(store: DatabaseTrackerStore, sender: str, text: str) -> DialogueStateTracker:
    """One turn as the Rasa server runs it: read the conversation, add events, save."""

    async def turn() -> DialogueStateTracker:
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(text, {"name": "ask_problem", "confidence": 0.9}))
        tracker.update(ActionExecuted("action_rep_move"))
        tracker.update(BotUttered(f"客户:{text}?"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        return tracker

    return asyncio.run(turn())


def _rep_lines(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [event.text for event in tracker.events if isinstance(event, UserUttered)]


def _rasas_reading(domain: Domain, url: sa.engine.URL, sender: str) -> DialogueStateTracker:
    """The conversation as Rasa's own SQL tracker store reads it."""
    store = SQLTrackerStore(domain, **sql_store_settings(url))
    tracker = asyncio.run(store.retrieve(sender))
    assert tracker is not None
    return tracker


def _stored_rows(url: sa.engine.URL, sender: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT count(*) FROM events WHERE sender_id = :sender")
            return connection.execute(query, {"sender": sender}).scalar()
    finally:
        engine.dispose()


def test_a_conversation_reads_back_as_rasas_own_store_reads_it(domain, database, sender) -> None:
    store = DatabaseTrackerStore(domain)
    for number in range(1, 6):
        _say(store, sender, f"第{number}个问题")
    ours = asyncio.run(store.retrieve(sender))
    rasas = _rasas_reading(domain, database, sender)
    assert _rep_lines(ours) == [f"第{n}个问题" for n in range(1, 6)]
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in rasas.events]
    assert _stored_rows(database, sender) == len(rasas.events), "no event written twice"


def test_turns_written_by_another_rasa_process_are_not_missed(domain, database, sender) -> None:
    here, elsewhere = DatabaseTrackerStore(domain), DatabaseTrackerStore(domain)
    _say(here, sender, "现在用的是哪家的设备?")
    _say(elsewhere, sender, "用下来有什么不满意的地方?")
    _say(here, sender, "这个问题对交期有什么影响?")
    expected = ["现在用的是哪家的设备?", "用下来有什么不满意的地方?", "这个问题对交期有什么影响?"]
    assert _rep_lines(_rasas_reading(domain, database, sender)) == expected
    assert _rep_lines(asyncio.run(elsewhere.retrieve(sender))) == expected
    assert _stored_rows(database, sender) == len(_rasas_reading(domain, database, sender).events)


def test_a_new_session_hides_the_previous_one_as_in_rasas_store(domain, database, sender) -> None:
    store = DatabaseTrackerStore(domain)
    _say(store, sender, "上次聊到哪了?")

    async def restart_session() -> None:
        tracker = await store.retrieve(sender)
        tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)

    asyncio.run(restart_session())
    _say(store, sender, "我们重新开始吧")
    ours = asyncio.run(store.retrieve(sender))
    rasas = _rasas_reading(domain, database, sender)
    assert _rep_lines(ours) == ["我们重新开始吧"]
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in rasas.events]


def _turn(store: DatabaseTrackerStore, sender: str, events: list) -> DialogueStateTracker:
    """One turn: the conversation as this store hands it out, the turn's events, saved."""

    async def turn() -> DialogueStateTracker:
        tracker = await store.get_or_create_tracker(sender)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        return tracker

    return asyncio.run(turn())


def _rep_turn(text: str, turns: int) -> list:
    return [
        UserUttered(text, {"name": "ask_problem", "confidence": 0.9}),
        ActionExecuted("action_rep_move"),
        SlotSet("roleplay", {"id": "s1", "turns": turns, "last": turns}),
        BotUttered(f"客户:{text}?"),
        ActionExecuted("action_listen"),
    ]


def test_a_long_conversation_is_handed_out_as_its_recent_turns_with_the_same_state(
    domain, database, sender
) -> None:
    """Beyond MAX_EVENTS Rasa gets the last few messages after the slots they started from:
    the same slots and the same recent states as the whole conversation, after /back too,
    and every event of every turn stored exactly once."""
    store = DatabaseTrackerStore(domain)
    start = [
        UserUttered("开始对练", {"name": "start_roleplay", "confidence": 0.9}),
        ActionExecuted("action_start_roleplay"),
        SlotSet("activity", "roleplay"),
        SlotSet("roleplay", {"id": "s1", "turns": 1, "last": 1}),
        ActionExecuted("action_listen"),
    ]
    _turn(store, sender, start)
    back = [
        UserUttered("/back", {"name": "back", "confidence": 1.0}),
        ActionExecuted("action_back"),
        UserUtteranceReverted(),
        UserUtteranceReverted(),
        ActionExecuted("action_listen"),
    ]
    for number in range(1, 41):
        handed = _turn(store, sender, _rep_turn(f"第{number}个问题", 1 + 2 * number))
        assert len(handed.events) <= MAX_EVENTS + len(back)
        if number in (3, 30):
            handed = _turn(store, sender, back)
        whole = _rasas_reading(domain, database, sender)
        read_again = asyncio.run(store.retrieve(sender))
        read_by_another = asyncio.run(DatabaseTrackerStore(domain).retrieve(sender))
        for tracker in (handed, read_again, read_by_another):
            assert tracker.current_slot_values() == whole.current_slot_values()
            assert tracker.past_states(domain)[-6:] == whole.past_states(domain)[-6:]
        assert _stored_rows(database, sender) == len(whole.events), "no event written twice"
    assert handed.get_slot("activity") == "roleplay"
    assert handed.get_slot("roleplay") == {"id": "s1", "turns": 81, "last": 81}
    assert len(whole.events) > 3 * MAX_EVENTS
    assert _rep_lines(whole)[-1] == "第40个问题"


def test_the_rehearsal_at_start_up_writes_nothing(domain, database, sender) -> None:
    store = DatabaseTrackerStore(domain)
    store.rehearse(sender)
    assert _stored_rows(database, sender) == 0
    assert asyncio.run(store.retrieve(sender)) is None
