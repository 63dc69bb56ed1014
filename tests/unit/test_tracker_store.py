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
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.adapters.tracker_store import DatabaseTrackerStore, sql_store_settings
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
