"""The attacks of issue 17 on running servers, each refused: reading or rewriting a
conversation through Rasa's API without its token, posting a forged tracker to the action
server, and typing as another rep in the web chat."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from sqlalchemy import select

from bot.adapters.storage import open_database
from bot.adapters.storage.accounts import Accounts
from bot.adapters.storage.schema import roleplay_sessions
from bot.adapters.web_chat_signature import signed_headers
from harness.rasa_processes import Servers

START = "/start_roleplay" + json.dumps({"scenario": "inkjet_factory", "persona": "owl"})


def _sessions(servers: Servers) -> list[tuple[str, int, str]]:
    database = open_database(servers.database_url)
    try:
        with database.transaction() as connection:
            query = select(
                roleplay_sessions.c.conversation_id,
                roleplay_sessions.c.user_id,
                roleplay_sessions.c.channel,
            )
            return [tuple(row) for row in connection.execute(query)]
    finally:
        database.close()


def _web_user(servers: Servers) -> int:
    database = open_database(servers.database_url)
    try:
        name = f"rep-{uuid.uuid4().hex[:6]}"
        return Accounts(database).create_user(name, "王销售", "a-long-password", "rep", None)
    finally:
        database.close()


def _web_post(servers: Servers, user: int, text: str, secret: str | None = None):
    body = json.dumps({"user": user, "message": text}).encode()
    headers = signed_headers(secret or servers.secrets.web_chat_secret, body)
    return requests.post(
        f"{servers.url}/webhooks/web/webhook",
        data=body,
        headers={"Content-Type": "application/json"} | headers,
        timeout=60,
    )


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/conversations/web:1/tracker"),
        ("POST", "/conversations/web:1/tracker/events"),
        ("PUT", "/conversations/web:1/tracker/events"),
        ("POST", "/conversations/web:1/trigger_intent"),
        ("POST", "/model/parse"),
        ("PUT", "/model"),
        ("GET", "/status"),
    ],
)
def test_rasa_api_answers_nothing_without_its_token(servers: Servers, method, path) -> None:
    for token in (None, "guessed"):
        params = {"token": token} if token else {}
        answer = requests.request(
            method, f"{servers.url}{path}", params=params, json={"event": "slot"}, timeout=30
        )
        assert answer.status_code == 401, (method, path, token, answer.text[:200])


def test_the_action_server_refuses_a_forged_tracker(servers: Servers) -> None:
    """Today's attack: a hand-built tracker that ends a role-play with a report, posted
    straight to the action server, made a finished visit for another rep."""
    sender = f"victim-{uuid.uuid4().hex[:6]}"
    forged = {
        "next_action": "action_start_roleplay",
        "sender_id": sender,
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {},
            "latest_message": {"text": START, "intent": {"name": "start_roleplay"}},
            "events": [],
            "latest_input_channel": "rest",
        },
    }
    for headers in ({}, {"Authorization": "Bearer guessed"}, {"Authorization": "guessed"}):
        answer = requests.post(
            f"{servers.actions_url}/webhook", json=forged, headers=headers, timeout=30
        )
        assert answer.status_code == 401
    listed = requests.get(f"{servers.actions_url}/actions", timeout=30)
    assert listed.status_code == 401
    assert requests.get(f"{servers.actions_url}/health", timeout=30).ok
    assert all(conversation != sender for conversation, _, _ in _sessions(servers))


def test_only_the_web_app_can_type_as_a_web_user(servers: Servers) -> None:
    user = _web_user(servers)
    unsigned = requests.post(
        f"{servers.url}/webhooks/web/webhook", json={"user": user, "message": START}, timeout=30
    )
    assert unsigned.status_code == 401
    assert _web_post(servers, user, START, secret="guessed").status_code == 401
    # REST cannot name the web conversation, and the old web sender id is just a stranger.
    as_rest = requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        json={"sender": f"web:{user}", "message": START},
        timeout=30,
    )
    assert as_rest.status_code == 400
    stranger = requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        json={"sender": f"web-{user}", "message": START},
        timeout=60,
    )
    assert stranger.status_code == 200
    answer = _web_post(servers, user, START)
    assert answer.status_code == 200 and any("对练开始" in r.get("text", "") for r in answer.json())
    rows = _sessions(servers)
    assert (f"web:{user}", user, "web") in rows
    (rest_row,) = [row for row in rows if row[0] == f"web-{user}"]
    assert rest_row[1] != user and rest_row[2] == "rest"


def test_the_web_channel_answers_bad_bodies_clearly(servers: Servers) -> None:
    for body in (b"[]", b"not json", json.dumps({"user": "4", "message": "hi"}).encode()):
        headers = signed_headers(servers.secrets.web_chat_secret, body)
        answer = requests.post(
            f"{servers.url}/webhooks/web/webhook", data=body, headers=headers, timeout=30
        )
        assert answer.status_code == 400 and answer.json()["error"]
