"""The database layer on SQLite and, when TEST_POSTGRES_URL names a server, on PostgreSQL:
migrations, users by channel identity, turn-by-turn records that a retry cannot duplicate,
reports, quiz rounds and each rep's history."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlalchemy.engine import create_engine, make_url

from bot.adapters.storage import Database, Storage, open_database
from bot.adapters.storage.database import MIGRATIONS
from bot.adapters.storage.inbox import Inbox
from bot.adapters.storage.records import NewSession

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
TABLES = {
    "teams",
    "users",
    "identities",
    "scenarios",
    "roleplay_sessions",
    "turns",
    "turn_assessments",
    "session_reports",
    "comments",
    "score_overrides",
    "quiz_rounds",
    "inbound_messages",
    "web_sessions",
    "sign_in_failures",
    "alembic_version",
}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = open_database(f"sqlite:///{tmp_path / 'salescoach.db'}")
        yield database
        database.close()
        return
    if not POSTGRES_URL:
        pytest.skip("TEST_POSTGRES_URL is not set (e.g. postgresql://postgres@127.0.0.1/test)")
    # A schema of its own per test, dropped afterwards: the database itself may be shared.
    schema = f"salescoach_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    database = open_database(url.render_as_string(hide_password=False))
    yield database
    database.close()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _session(storage: Storage, user: int, session_id: str = "s1") -> NewSession:
    return NewSession(session_id, user, "rep-wang", "rest", "inkjet_factory", "tiger", 7)


REPORT = {
    "overall": 71,
    "dimensions": {
        "visit_flow": {"score": 80, "observed": True},
        "objection_handling": {"score": 60, "observed": False},
    },
    "turns": [],
}
ASSESSMENT = {
    "step": "discovery",
    "changes": {"spin": 6},
    "notes": [{"rule": "spin.problem", "points": 6}],
    "feedback": "好问题",
}


def test_migrations_create_every_table_and_a_second_run_changes_nothing(database) -> None:
    assert set(inspect(database.engine).get_table_names()) >= TABLES
    database.migrate()
    with database.transaction() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0010"


def test_first_contact_creates_a_rep_in_the_default_team_once(database) -> None:
    storage = Storage(database)
    first = storage.rep_for("wecom", "ZhangSan")
    assert storage.rep_for("wecom", "ZhangSan") == first
    assert storage.rep_for("rest", "ZhangSan") != first  # another channel, another identity
    with database.transaction() as connection:
        row = connection.execute(
            text(
                "SELECT u.role, u.username, t.name FROM users u JOIN teams t ON t.id = u.team_id"
                " WHERE u.id = :id"
            ),
            {"id": first},
        ).one()
        assert tuple(row) == ("rep", "wecom:ZhangSan", "默认团队")
        assert connection.execute(text("SELECT count(*) FROM teams")).scalar() == 1


def test_concurrent_first_messages_create_one_user(database) -> None:
    storage = Storage(database)
    found: list[int] = []
    threads = [
        threading.Thread(target=lambda: found.append(storage.rep_for("wecom", "LiSi")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1


def test_turns_are_kept_as_they_happen_and_a_retry_writes_nothing_twice(database) -> None:
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-wang")
    storage.start_roleplay(_session(storage, user))
    storage.start_roleplay(_session(storage, user))  # retried start
    storage.record_opening("s1", {"speaker": "customer", "text": "有话快说。"})
    exchange = [
        {"speaker": "rep", "text": "有什么头疼的?", "move": "ask_problem", "confidence": 0.93},
        {"speaker": "customer", "text": "喷头老堵。"},
    ]
    for _ in range(2):  # the action retried by Rasa
        storage.record_exchange("s1", 1, exchange, ASSESSMENT)
    # Nothing was finished, yet a fresh connection (as after a crash) sees every answered turn.
    reopened = Storage(open_database(database.engine.url.render_as_string(False), migrate=False))
    transcript = reopened.transcript("s1")
    assert [(t["position"], t["speaker"]) for t in transcript] == [
        (0, "customer"),
        (1, "rep"),
        (2, "customer"),
    ]
    rep = transcript[1]
    assert rep["move"] == "ask_problem" and rep["changes"] == {"spin": 6}
    assert rep["feedback"] == "好问题" and transcript[2]["changes"] is None


def test_finished_role_plays_and_quizzes_make_the_history(database) -> None:
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-wang")
    assert storage.roleplay_history(user) == [] and storage.quiz_history(user) == []
    storage.start_roleplay(_session(storage, user))
    storage.record_exchange(
        "s1", 1, [{"speaker": "rep", "text": "您好"}, {"speaker": "customer", "text": "嗯"}], None
    )
    storage.start_roleplay(_session(storage, user, "unfinished"))
    storage.finish_roleplay("s1", "signed", REPORT)
    storage.finish_roleplay("s1", "lost", REPORT | {"overall": 10})  # a retry: first one wins
    (play,) = storage.roleplay_history(user)
    assert (play.scenario_id, play.persona, play.outcome, play.overall) == (
        "inkjet_factory",
        "tiger",
        "signed",
        71,
    )
    assert play.dimensions == {"visit_flow": 80, "objection_handling": None}
    assert play.rep_turns == 1 and play.at.tzinfo is not None
    right = {"question": "q01", "given": "B", "correct": True}
    wrong = {"question": "q02", "given": "A", "correct": False}
    storage.record_quiz("round-1", user, [right, wrong])
    storage.record_quiz("round-1", user, [right])  # retried: ignored
    storage.record_quiz("round-2", user, [])  # nothing answered: not a round
    (quiz,) = storage.quiz_history(user)
    assert (quiz.answered, quiz.correct) == (2, 1)
    assert quiz.at.astimezone(UTC).year >= 2026
    assert storage.roleplay_history(storage.rep_for("rest", "someone-else")) == []


def _exchange(text: str, answer: str, move: str = "ask_problem") -> list[dict]:
    return [
        {"speaker": "rep", "text": text, "move": move, "confidence": 0.9},
        {"speaker": "customer", "text": answer},
    ]


def test_a_seed_up_to_two_to_the_32_is_stored_on_every_backend(database) -> None:
    """Seeds are CRC32 values: on PostgreSQL every seed from 2**31 used to lose the visit."""
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-seed")
    for session_id, seed in (("low", 0), ("high", 2**31), ("top", 2**32 - 1)):
        storage.start_roleplay(
            NewSession(session_id, user, "rep-seed", "rest", "inkjet_factory", "owl", seed),
            {"speaker": "customer", "text": "请讲。"},
        )
        storage.record_exchange(session_id, 1, _exchange("您好", "嗯。", "greet"), ASSESSMENT)
    with database.transaction() as connection:
        seeds = dict(connection.execute(text("SELECT id, seed FROM roleplay_sessions")).all())
    assert seeds == {"low": 0, "high": 2**31, "top": 2**32 - 1}
    assert [turn["text"] for turn in storage.live_turns("top")] == ["请讲。", "您好", "嗯。"]


def test_a_different_line_at_a_stored_position_marks_the_old_one_undone(database) -> None:
    """/back, or a turn whose answer never reached the rep: the record follows the
    conversation he went on with, and keeps what he took back, flagged, for the trainer."""
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-back")
    storage.start_roleplay(_session(storage, user), {"speaker": "customer", "text": "请讲。"})
    storage.record_exchange("s1", 1, _exchange("几条线?", "三条。", "ask_situation"), ASSESSMENT)
    storage.record_exchange("s1", 3, _exchange("头疼吗?", "喷头堵。"), ASSESSMENT)
    storage.record_exchange("s1", 1, _exchange("有什么难处?", "停线。"), ASSESSMENT)
    storage.record_exchange("s1", 1, _exchange("有什么难处?", "停线。"), ASSESSMENT)  # retry
    assert [turn["text"] for turn in storage.live_turns("s1")] == [
        "请讲。",
        "有什么难处?",
        "停线。",
    ]
    transcript = storage.transcript("s1")
    assert [(t["text"], t["undone"]) for t in transcript] == [
        ("请讲。", False),
        ("几条线?", True),
        ("三条。", True),
        ("头疼吗?", True),
        ("喷头堵。", True),
        ("有什么难处?", False),
        ("停线。", False),
    ]
    storage.undo_from("s1", 1)
    assert [turn["text"] for turn in storage.live_turns("s1")] == ["请讲。"]
    (play,) = [s for s in _history_after_finish(storage, user)]
    assert play.rep_turns == 0  # undone turns are not counted as said


def _history_after_finish(storage: Storage, user: int):
    storage.finish_roleplay("s1", "ended", REPORT)
    return storage.roleplay_history(user)


def test_a_session_left_before_the_rep_spoke_is_ended_without_a_report(database) -> None:
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-leaver")
    storage.start_roleplay(_session(storage, user), {"speaker": "customer", "text": "请讲。"})
    storage.close_roleplay("s1", "ended")
    storage.close_roleplay("s1", "signed")  # a second close changes nothing
    with database.transaction() as connection:
        row = connection.execute(
            text("SELECT outcome, overall, ended_at IS NOT NULL FROM roleplay_sessions")
        ).one()
    assert tuple(row) == ("ended", None, True)


def test_a_callback_is_taken_once_and_one_never_finished_is_found_once(database) -> None:
    now = [datetime(2026, 12, 2, 10, 0, tzinfo=UTC)]
    inbox = Inbox(database, clock=lambda: now[0])
    assert inbox.take("wecom", "msg:1", "WangWu") is True
    assert inbox.take("wecom", "msg:1", "WangWu") is False  # a retry, on any process
    assert inbox.take("rest", "msg:1", "WangWu") is True  # another channel's key space
    assert inbox.take("wecom", "msg:2", "LiSi") is True
    inbox.done("wecom", "msg:2")
    now[0] += timedelta(seconds=30)  # still within a turn's time: maybe being handled
    assert inbox.unfinished("wecom", timedelta(seconds=60), timedelta(minutes=10)) == []
    now[0] += timedelta(seconds=60)
    (lost,) = inbox.unfinished("wecom", timedelta(seconds=60), timedelta(minutes=10))
    assert (lost.key, lost.sender) == ("msg:1", "WangWu")
    assert inbox.unfinished("wecom", timedelta(seconds=60), timedelta(minutes=10)) == []
    now[0] += timedelta(days=3)
    assert inbox.prune() == 3
    assert inbox.take("wecom", "msg:1", "WangWu") is True


def _downgrade(database: Database, revision: str) -> None:
    """Take the schema back to `revision`, as an older installation left it."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_a_database_of_the_first_schema_is_upgraded_with_its_visits(database) -> None:
    """An existing database (revision 0001) keeps its visits: seeds widened, turns live."""
    _downgrade(database, "0001")
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-old")
    with database.transaction() as connection:
        connection.execute(
            text(
                "INSERT INTO roleplay_sessions (id, user_id, conversation_id, channel,"
                " scenario_id, persona, seed, started_at) VALUES ('old', :user, 'rep-old',"
                " 'rest', 'inkjet_factory', 'tiger', 7, :at)"
            ),
            {"user": user, "at": datetime.now(UTC)},
        )
        connection.execute(
            text(
                "INSERT INTO turns (session_id, position, speaker, text, created_at)"
                " VALUES ('old', 0, 'customer', '请讲。', :at)"
            ),
            {"at": datetime.now(UTC)},
        )
    database.migrate()
    assert [turn["text"] for turn in storage.live_turns("old")] == ["请讲。"]
    storage.record_exchange("old", 1, _exchange("您好", "嗯。", "greet"), ASSESSMENT)
    storage.start_roleplay(
        NewSession("new", user, "rep-old", "rest", "inkjet_factory", "tiger", 2**32 - 1)
    )
    assert len(storage.live_turns("old")) == 3


def test_web_chats_move_to_their_own_channel_with_their_history(database) -> None:
    """Before 0004 the web chat was the REST sender `web-<id>`, which any REST client could
    name; the upgrade moves each web account's identity and visits to `web:<id>`."""
    _downgrade(database, "0003")
    storage = Storage(database)
    with database.transaction() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, display_name, role, created_at)"
                " VALUES ('wang', '王', 'rep', :at)"
            ),
            {"at": datetime.now(UTC)},
        )
        user = connection.execute(text("SELECT id FROM users WHERE username = 'wang'")).scalar()
        connection.execute(
            text(
                "INSERT INTO identities (channel, external_id, user_id, created_at)"
                " VALUES ('rest', :sender, :user, :at)"
            ),
            {"sender": f"web-{user}", "user": user, "at": datetime.now(UTC)},
        )
    stranger = storage.rep_for("rest", f"web-{user + 1000}")  # names nobody's own account
    for session, owner, conversation in [
        ("mine", user, f"web-{user}"),
        ("theirs", stranger, f"web-{user + 1000}"),
    ]:
        storage.start_roleplay(
            NewSession(session, owner, conversation, "rest", "inkjet_factory", "tiger", 1)
        )
    database.migrate()
    assert storage.rep_for("web", str(user)) == user
    assert storage.rep_for("rest", f"web-{user + 1000}") == stranger
    with database.transaction() as connection:
        moved = dict(
            connection.execute(
                text("SELECT id, conversation_id || ' ' || channel FROM roleplay_sessions")
            ).all()
        )
    assert moved == {"mine": f"web:{user} web", "theirs": f"web-{user + 1000} rest"}


def test_every_move_of_a_line_is_kept_for_the_report(database) -> None:
    """A report is computed again from the stored turns: the further moves of a multi-move
    line must come back with them, or the final report would credit less than the live turn."""
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-moves")
    storage.start_roleplay(_session(storage, user, "multi"))
    exchange = _exchange("王总您好,现在用的是哪家的设备?", "用的是老设备。", "greet")
    exchange[0]["also"] = ["ask_situation"]
    storage.record_exchange("multi", 0, exchange, ASSESSMENT)
    storage.record_exchange("multi", 2, _exchange("有没有头疼的地方?", "喷头老堵。"), ASSESSMENT)
    rep_turns = [turn for turn in storage.live_turns("multi") if turn["speaker"] == "rep"]
    assert rep_turns[0]["also"] == ["ask_situation"]
    assert "also" not in rep_turns[1]


def _state(turn: int, trust: int) -> dict:
    return {
        "scenario": "inkjet_factory",
        "persona": "tiger",
        "seed": 7,
        "turn": turn,
        "trust": trust,
    }


def test_a_role_play_is_read_back_at_any_reference_and_only_in_its_conversation(database) -> None:
    """The customer's state is stored beside his line, so a role-play is read from the store
    at a reference (session, turn count, last row); a reference of another conversation,
    one with the wrong count or row, or one taken back reads nothing."""
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-wang")
    opening = {"speaker": "customer", "text": "请讲。"}
    first = storage.start_roleplay(_session(storage, user), opening, _state(0, 50))
    assert storage.start_roleplay(_session(storage, user), opening, _state(0, 50)) == first
    second = storage.record_exchange(
        "s1", 1, _exchange("几条线?", "三条。", "ask_situation"), ASSESSMENT, _state(1, 55)
    )
    retried = storage.record_exchange(
        "s1", 1, _exchange("几条线?", "三条。", "ask_situation"), ASSESSMENT, _state(1, 55)
    )
    assert retried == second
    at_start = storage.roleplay_at({"id": "s1", "turns": 1, "last": first}, "rep-wang")
    assert at_start is not None
    assert at_start["customer"] == _state(0, 50) and at_start["turns"] == [opening]
    now = storage.roleplay_at({"id": "s1", "turns": 3, "last": second}, "rep-wang")
    assert now is not None and now["customer"] == _state(1, 55)
    assert (now["scenario"], now["persona"], now["seed"]) == ("inkjet_factory", "tiger", 7)
    assert [turn["text"] for turn in now["turns"]] == ["请讲。", "几条线?", "三条。"]
    assert now["turns"][1]["move"] == "ask_situation"
    # No row id: a slot from before migration 0009 names only the session and the count.
    assert storage.roleplay_at({"id": "s1", "turns": 3, "last": None}, "rep-wang") == now
    for forged in (
        ({"id": "s1", "turns": 3, "last": second}, "rep-li"),  # another rep's conversation
        ({"id": "s1", "turns": 5, "last": second}, "rep-wang"),  # turns that do not exist
        ({"id": "s1", "turns": 2, "last": second}, "rep-wang"),  # ends on the rep's line
        ({"id": "s1", "turns": 3, "last": first}, "rep-wang"),  # not the row at that place
        ({"id": "nope", "turns": 1, "last": first}, "rep-wang"),
    ):
        assert storage.roleplay_at(*forged) is None
    storage.undo_from("s1", 1)
    assert storage.roleplay_at({"id": "s1", "turns": 3, "last": second}, "rep-wang") is None
    again = storage.record_exchange(
        "s1", 1, _exchange("有什么难处?", "停线。"), ASSESSMENT, _state(1, 60)
    )
    assert again != second
    redone = storage.roleplay_at({"id": "s1", "turns": 3, "last": again}, "rep-wang")
    assert redone is not None and redone["customer"] == _state(1, 60)


def test_the_upgrade_gives_stored_customer_lines_their_state_from_the_tracker(database) -> None:
    """Before 0009 the customer's state lived only in the `roleplay` slot, which Rasa's
    events table keeps: each customer line gets the state of the last slot event with that
    many turns; a line with no event gets none."""
    _downgrade(database, "0008")
    storage = Storage(database)
    user = storage.rep_for("rest", "rep-old")
    with database.transaction() as connection:
        connection.execute(
            text(
                "INSERT INTO roleplay_sessions (id, user_id, conversation_id, channel,"
                " scenario_id, persona, seed, started_at) VALUES ('old', :user, 'rep-old',"
                " 'rest', 'inkjet_factory', 'tiger', 7, :at)"
            ),
            {"user": user, "at": datetime.now(UTC)},
        )
        for position, (speaker, said) in enumerate(
            [("customer", "请讲。"), ("rep", "您好"), ("customer", "嗯。")]
        ):
            connection.execute(
                text(
                    "INSERT INTO turns (session_id, position, speaker, text, created_at)"
                    " VALUES ('old', :position, :speaker, :text, :at)"
                ),
                {"position": position, "speaker": speaker, "text": said, "at": datetime.now(UTC)},
            )
    with database.transaction() as connection:
        connection.execute(
            text(
                "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255),"
                " type_name VARCHAR(255), timestamp FLOAT, intent_name VARCHAR(255),"
                " action_name VARCHAR(255), data TEXT)"
            )
        )
        slot_values = [
            {"id": "old", "customer": _state(0, 50), "turns": [{}]},
            {"id": "old", "customer": _state(1, 40), "turns": [{}, {}, {}]},
            {"id": "old", "customer": _state(1, 45), "turns": [{}, {}, {}]},  # the later wins
            {"id": "old", "customer": _state(2, 70), "turns": [{}] * 5},  # no such line
            None,
            "not a role-play",
        ]
        for number, value in enumerate(slot_values):
            data = {"event": "slot", "name": "roleplay", "value": value}
            connection.execute(
                text(
                    "INSERT INTO events (id, sender_id, type_name, action_name, data)"
                    " VALUES (:id, 'rep-old', 'slot', 'roleplay', :data)"
                ),
                {"id": number + 1, "data": json.dumps(data)},
            )
    database.migrate()
    assert storage.roleplay_at({"id": "old", "turns": 1, "last": None}, "rep-old") is not None
    now = storage.roleplay_at({"id": "old", "turns": 3, "last": None}, "rep-old")
    assert now is not None and now["customer"] == _state(1, 45)
    with database.transaction() as connection:
        connection.execute(text("DROP TABLE events"))
