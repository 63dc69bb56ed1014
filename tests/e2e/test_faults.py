"""Nothing lost, on SQLite and on PostgreSQL: every line a rep sends is either stored and
scored, or answered with "please send it again" and not stored at all; a report is computed
from the stored turns, so it always agrees with the transcript a trainer reads.

Real servers throughout: the action server and Rasa are killed with SIGKILL and started
again, PostgreSQL's backends are terminated, and twenty visits run at once.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bot.adapters.storage import Storage, open_database
from bot.adapters.storage.schema import roleplay_sessions, session_reports, turns
from bot.language.inbound import RESEND_REPLY
from harness.rasa_processes import Servers
from tests.support.rasa_server import RasaServer
from tests.support.web import csrf_token, sign_in
from webapp import create_app
from webapp.services import services

pytestmark = pytest.mark.slow

START = '/start_roleplay{"scenario": "inkjet_factory", "persona": "tiger"}'
LINES = [
    "王厂长您好,我是XX喷码的小李,就占用您十分钟。",
    "贵厂现在几条线在用喷码机?",
    "用下来有没有让您头疼的地方?",
    "停一次线,对交货有什么影响?",
    "如果不用再停线,对您旺季交货有什么帮助?",
]


def _texts(replies: list[dict]) -> str:
    return "\n".join(reply.get("text", "") for reply in replies)


def _sender() -> str:
    return f"rep-{uuid.uuid4().hex[:8]}"


class Record:
    """What the database holds for one conversation's newest session."""

    def __init__(self, servers: Servers, sender: str) -> None:
        self._database = open_database(servers.database_url, migrate=False)
        self._sender = sender

    def __enter__(self) -> Record:
        return self

    def __exit__(self, *_: object) -> None:
        self._database.close()

    def session(self):
        with self._database.transaction() as connection:
            return connection.execute(
                select(roleplay_sessions)
                .where(roleplay_sessions.c.conversation_id == self._sender)
                .order_by(roleplay_sessions.c.started_at.desc())
                .limit(1)
            ).first()

    def rep_lines(self) -> list[str]:
        """The rep's live (scored) lines of the newest session."""
        session = self.session()
        live = Storage(self._database).live_turns(session.id)
        return [turn["text"] for turn in live if turn["speaker"] == "rep"]

    def report(self) -> dict | None:
        with self._database.transaction() as connection:
            return connection.execute(
                select(session_reports.c.report).where(
                    session_reports.c.session_id == self.session().id
                )
            ).scalar()


def _reported_lines(report: dict) -> list[str]:
    return [turn["text"] for turn in report["turns"]]


def test_twenty_visits_at_once_are_all_stored_whole(servers_on_each_backend: Servers) -> None:
    """On PostgreSQL half of them used to vanish (a seed of 2**31 or more overflowed)."""
    server = RasaServer.of(servers_on_each_backend)

    def visit(sender: str) -> str:
        assert "王厂长:" in _texts(server.say(sender, START))
        for line in LINES:
            assert "王厂长:" in _texts(server.say(sender, line))
        return _texts(server.say(sender, "结束对练"))

    senders = [_sender() for _ in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        reports = list(pool.map(visit, senders))
    assert all("总分" in report for report in reports)
    database = open_database(servers_on_each_backend.database_url, migrate=False)
    with database.transaction() as connection:
        sessions = connection.execute(
            select(
                roleplay_sessions.c.id, roleplay_sessions.c.seed, roleplay_sessions.c.overall
            ).where(roleplay_sessions.c.conversation_id.in_(senders))
        ).all()
        counts = dict(
            connection.execute(
                select(turns.c.session_id, func.count())
                .where(turns.c.session_id.in_([row.id for row in sessions]))
                .group_by(turns.c.session_id)
            ).all()
        )
        stored_reports = connection.execute(
            select(func.count()).where(
                session_reports.c.session_id.in_([row.id for row in sessions])
            )
        ).scalar()
    database.close()
    assert len(sessions) == 20 and stored_reports == 20
    assert all(counts[row.id] == 1 + 2 * len(LINES) for row in sessions)
    assert all(row.overall is not None for row in sessions)
    overall = sorted(int(re.search(r"总分:(\d+)", report).group(1)) for report in reports)
    assert overall == sorted(row.overall for row in sessions)


def test_a_line_sent_while_the_action_server_is_down_is_answered_and_not_stored(
    servers_on_each_backend: Servers,
) -> None:
    servers, sender = servers_on_each_backend, _sender()
    server = RasaServer.of(servers)
    server.say(sender, START)
    server.say(sender, LINES[0])
    servers.kill("actions")
    try:
        refused = server.post(sender, LINES[1])
        assert refused.status_code == 503 and _texts(refused.json()) == RESEND_REPLY
        assert refused.headers.get("Retry-After")
    finally:
        servers.start("actions")
    with Record(servers, sender) as record:
        assert record.rep_lines() == [LINES[0]]  # the lost line is not half-recorded
    # The rep sends it again, as he was told; the visit goes on as if nothing happened.
    assert "三条线" in _texts(server.say(sender, LINES[1]))
    assert "喷头" in _texts(server.say(sender, LINES[2]))
    report_text = _texts(server.say(sender, "结束对练"))
    with Record(servers, sender) as record:
        assert record.rep_lines() == LINES[:3]
        report = record.report()
    assert _reported_lines(report) == LINES[:3]
    assert f"总分:{report['overall']}" in report_text


def test_a_visit_goes_on_after_rasa_is_killed_mid_visit(servers_on_each_backend: Servers) -> None:
    servers, sender = servers_on_each_backend, _sender()
    server = RasaServer.of(servers)
    server.say(sender, START)
    for line in LINES[:3]:
        server.say(sender, line)
    servers.kill("rasa")
    servers.start("rasa")
    answer = _texts(server.say(sender, LINES[3]))
    assert answer.startswith("王厂长:") and "罚" in answer  # the customer, not the coach
    server.say(sender, "结束对练")
    with Record(servers, sender) as record:
        assert record.rep_lines() == LINES[:4]
        assert _reported_lines(record.report()) == LINES[:4]


def test_back_and_restart_keep_the_record_and_the_report_in_agreement(
    servers_on_each_backend: Servers,
) -> None:
    servers, sender = servers_on_each_backend, _sender()
    server = RasaServer.of(servers)
    server.say(sender, START)
    server.say(sender, LINES[0])
    server.say(sender, "贵厂是做什么产品的?")  # taken back below
    assert "撤回" in _texts(server.say(sender, "/back"))
    with Record(servers, sender) as record:
        assert record.rep_lines() == [LINES[0]]  # marked undone at once, not only later
    server.say(sender, LINES[1])
    server.say(sender, LINES[2])
    report_text = _texts(server.say(sender, "结束对练"))
    with Record(servers, sender) as record:
        assert record.rep_lines() == LINES[:3]
        report = record.report()
        transcript = Storage(record._database).transcript(record.session().id)
    assert _reported_lines(report) == LINES[:3]
    assert f"总分:{report['overall']}" in report_text
    undone = [turn["text"] for turn in transcript if turn["undone"]]
    assert undone[0] == "贵厂是做什么产品的?"  # kept for the trainer, flagged

    # A restart mid-visit ends the visit in the database instead of leaving it in progress.
    server.say(sender, START)
    server.say(sender, LINES[0])
    assert "从头开始" in _texts(server.say(sender, "/restart"))
    with Record(servers, sender) as record:
        session = record.session()
        assert session.outcome == "ended" and session.ended_at is not None
        assert _reported_lines(record.report()) == [LINES[0]]
    assert "没有进行中的对练" in _texts(server.say(sender, "结束对练"))


def _terminate_backends(database_url: str) -> int:
    """pg_terminate_backend on every connection to the servers' database, as a database
    restart or a network cut would; the number terminated."""
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        terminated = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": url.database},
        ).scalar()
    admin.dispose()
    return terminated


def _allow_connections(database_url: str, allowed: bool) -> None:
    url = make_url(database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        )
    admin.dispose()


def test_dropped_database_connections_cost_no_line_and_wipe_no_visit(
    servers_on_each_backend: Servers, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("connections to terminate: PostgreSQL only")
    servers, sender = servers_on_each_backend, _sender()
    server = RasaServer.of(servers)
    web_send = _web_chat(servers)
    server.say(sender, START)
    server.say(sender, LINES[0])
    server.say(sender, LINES[1])
    assert _terminate_backends(database_url) > 0
    # The very next line is answered by the customer: the visit was not replaced by a blank.
    answer = _texts(server.say(sender, LINES[2]))
    assert answer.startswith("王厂长:") and "喷头" in answer
    # While the database refuses connections, a line is answered "send it again"...
    _allow_connections(database_url, False)
    try:
        _terminate_backends(database_url)
        refused = server.post(sender, LINES[3])
        assert refused.status_code == 503 and _texts(refused.json()) == RESEND_REPLY
        status, error = web_send({"message": LINES[0]})  # the web app needs it too
        assert status == 503 and "再发一次" in error
    finally:
        _allow_connections(database_url, True)
    # ...and once it is back, the visit is where the rep left it.
    answer = _texts(server.say(sender, LINES[3]))
    assert answer.startswith("王厂长:") and "罚" in answer
    server.say(sender, "结束对练")
    with Record(servers, sender) as record:
        assert record.rep_lines() == LINES[:4]
        assert _reported_lines(record.report()) == LINES[:4]


def _web_chat(servers: Servers) -> Callable[[dict], tuple[int, str]]:
    """A rep signed in to the web app (on the servers' database), sending chat messages:
    each gives the status and the text he sees."""
    app = create_app(
        servers.database_url,
        rasa_url=servers.url,
        web_chat_secret=servers.secrets.web_chat_secret,
        secret_key="fault-test",
    )
    username = f"web-{uuid.uuid4().hex[:6]}"
    with app.app_context():
        services().accounts.create_user(username, "网页销售", "fault-pass-1", "rep", None)
    client = sign_in(app, username, "fault-pass-1")
    token = csrf_token(client, "/practice")

    def send(payload: dict) -> tuple[int, str]:
        response = client.post("/practice/send", json=payload, headers={"X-CSRFToken": token})
        body = response.get_json()
        texts = body.get("error") or _texts(body["replies"])
        return response.status_code, texts

    return send


def test_the_web_chat_tells_the_rep_to_resend_when_a_server_is_down(
    servers_on_each_backend: Servers,
) -> None:
    servers = servers_on_each_backend
    send = _web_chat(servers)
    status, opening = send({"start": {"scenario": "inkjet_factory", "persona": "tiger"}})
    assert status == 200 and "王厂长:" in opening
    servers.kill("actions")
    try:
        assert send({"message": LINES[0]}) == (200, RESEND_REPLY)
    finally:
        servers.start("actions")
    servers.kill("rasa")
    try:
        status, error = send({"message": LINES[0]})
        assert status == 502 and "再发一次" in error
    finally:
        servers.start("rasa")
    status, answer = send({"message": LINES[0]})
    assert status == 200 and answer.startswith("王厂长:")
    assert send({"message": "好" * 501})[1].startswith("这条消息有 501 个字")
