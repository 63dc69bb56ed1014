"""The Rasa tracker store on the project's database: it keeps recent conversations in
memory, so it must read back exactly what Rasa's own SQL store reads from the same file,
also when another Rasa process wrote in between."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from components.tracker_store import DatabaseTrackerStore
from scripts.rasa_processes import ROOT

SENDER = "rep-42"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def db_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "salescoach.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def _say(store: DatabaseTrackerStore, text: str) -> DialogueStateTracker:
    """One turn as the Rasa server runs it: read the conversation, add events, save."""

    async def turn() -> DialogueStateTracker:
        tracker = await store.get_or_create_tracker(SENDER)
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


def _rasas_reading(domain: Domain, db_file: Path) -> DialogueStateTracker | None:
    return asyncio.run(SQLTrackerStore(domain, dialect="sqlite", db=str(db_file)).retrieve(SENDER))


def _stored_rows(db_file: Path) -> int:
    with sqlite3.connect(db_file) as connection:
        query = "SELECT count(*) FROM events WHERE sender_id = ?"
        return connection.execute(query, (SENDER,)).fetchone()[0]


def test_a_conversation_reads_back_as_rasas_own_store_reads_it(domain, db_file) -> None:
    store = DatabaseTrackerStore(domain)
    for number in range(1, 6):
        _say(store, f"第{number}个问题")
    ours = asyncio.run(store.retrieve(SENDER))
    rasas = _rasas_reading(domain, db_file)
    assert _rep_lines(ours) == [f"第{n}个问题" for n in range(1, 6)]
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in rasas.events]
    assert _stored_rows(db_file) == len(rasas.events), "no event written twice"


def test_turns_written_by_another_rasa_process_are_not_missed(domain, db_file) -> None:
    here, elsewhere = DatabaseTrackerStore(domain), DatabaseTrackerStore(domain)
    _say(here, "现在用的是哪家的设备?")
    _say(elsewhere, "用下来有什么不满意的地方?")
    _say(here, "这个问题对交期有什么影响?")
    expected = ["现在用的是哪家的设备?", "用下来有什么不满意的地方?", "这个问题对交期有什么影响?"]
    assert _rep_lines(_rasas_reading(domain, db_file)) == expected
    assert _rep_lines(asyncio.run(elsewhere.retrieve(SENDER))) == expected
    assert _stored_rows(db_file) == len(_rasas_reading(domain, db_file).events)


def test_a_new_session_hides_the_previous_one_as_in_rasas_store(domain, db_file) -> None:
    store = DatabaseTrackerStore(domain)
    _say(store, "上次聊到哪了?")

    async def restart_session() -> None:
        tracker = await store.retrieve(SENDER)
        tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)

    asyncio.run(restart_session())
    _say(store, "我们重新开始吧")
    ours = asyncio.run(store.retrieve(SENDER))
    rasas = _rasas_reading(domain, db_file)
    assert _rep_lines(ours) == ["我们重新开始吧"]
    assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in rasas.events]
