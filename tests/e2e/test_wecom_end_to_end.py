"""WeCom end to end: encrypted callbacks go through the real Rasa server and action server,
and the bot's replies arrive at the fake WeCom API (the only fake: WeCom itself)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from bot.adapters.storage import open_database
from bot.adapters.storage.schema import identities, roleplay_sessions, teams, turns, users
from bot.language.inbound import RESEND_REPLY
from harness.fakes import wecom_callbacks as wecom
from harness.fakes.wecom_api import CORP_ID, SECRET, FakeWeComApi
from harness.rasa_processes import Servers, running_servers

pytestmark = pytest.mark.slow
WEBHOOK = "/webhooks/wecom/webhook"


@pytest.fixture(scope="module")
def wecom_bot(trained_model, tmp_path_factory) -> Iterator[tuple[Servers, FakeWeComApi]]:
    with FakeWeComApi() as api, pytest.MonkeyPatch.context() as patch:
        settings = {
            "WECOM_CORP_ID": CORP_ID,
            "WECOM_AGENT_ID": str(wecom.AGENT_ID),
            "WECOM_SECRET": SECRET,
            "WECOM_TOKEN": wecom.TOKEN,
            "WECOM_AES_KEY": wecom.AES_KEY_43,
            "WECOM_API_BASE": api.url,
        }
        for name, value in settings.items():
            patch.setenv(name, value)
        with running_servers(trained_model, tmp_path_factory.mktemp("wecom")) as servers:
            yield servers, api


def _post(servers: Servers, inner_xml: str) -> requests.Response:
    sent = wecom.callback(inner_xml)
    return requests.post(f"{servers.url}{WEBHOOK}", params=sent.query, data=sent.body, timeout=10)


def test_start_a_role_play_from_wecom_and_a_retry_is_not_answered_twice(wecom_bot) -> None:
    servers, api = wecom_bot
    already = len(api.delivered)
    start = wecom.text_xml("WangWu", "开始对练", msg_id="70001")
    assert _post(servers, start).status_code == 200
    (menu,) = api.wait_for_delivered(already + 1, timeout=60)[already:]
    assert menu["touser"] == "WangWu" and menu["agentid"] == wecom.AGENT_ID
    assert "回复数字选择" in menu["text"]["content"] and "食品厂" in menu["text"]["content"]
    # WeCom retries the same callback (same MsgId): nothing is processed a second time.
    assert _post(servers, start).status_code == 200
    # The rep picks the first scenario, then the tiger, by number.
    first = next(line for line in menu["text"]["content"].split("\n") if line.startswith("1. "))
    _post(servers, wecom.text_xml("WangWu", "1", msg_id="70002"))
    personas = api.wait_for_delivered(already + 2, timeout=60)[-1]["text"]["content"]
    assert "老虎型" in personas
    _post(servers, wecom.text_xml("WangWu", "1", msg_id="70003"))
    opening = api.wait_for_delivered(already + 3, timeout=60)[-1]
    content = opening.get("text", opening.get("markdown", {}))["content"]
    assert content.startswith(f"【对练开始】{first[3:]}")
    customer_line = content.rstrip().split("\n")[-1]  # the customer's first line, e.g. 陈总:…
    assert ":" in customer_line and not customer_line.startswith("直接对客户说话")
    time.sleep(2)  # a second reply to the retried callback would have arrived by now
    assert len(api.delivered) == already + 3
    # The WeCom member became a rep in the default team, with his role-play on record.
    database = open_database(servers.database_url, migrate=False)
    with database.transaction() as connection:
        rows = connection.execute(
            select(users.c.role, teams.c.name, roleplay_sessions.c.channel)
            .join(identities, identities.c.user_id == users.c.id)
            .join(teams, teams.c.id == users.c.team_id)
            .join(roleplay_sessions, roleplay_sessions.c.user_id == users.c.id)
            .where(identities.c.channel == "wecom", identities.c.external_id == "WangWu")
        ).all()
    database.close()
    assert [tuple(row) for row in rows] == [("rep", "默认团队", "wecom")]


def test_wrong_signature_is_refused_and_the_server_keeps_serving(wecom_bot) -> None:
    servers, api = wecom_bot
    already = len(api.delivered)
    sent = wecom.callback(wecom.text_xml("ZhaoLiu", "你好", msg_id="80001"))
    forged = sent.query | {"msg_signature": "0" * 40}
    response = requests.post(f"{servers.url}{WEBHOOK}", params=forged, data=sent.body, timeout=10)
    assert response.status_code == 403
    assert requests.get(servers.api("/status"), timeout=10).ok
    time.sleep(2)  # a reply, had the forged callback been processed, would have arrived
    assert len(api.delivered) == already


def _stored_rep_lines(servers: Servers, member: str) -> list[str]:
    database = open_database(servers.database_url, migrate=False)
    with database.transaction() as connection:
        rows = connection.execute(
            select(turns.c.text)
            .join(roleplay_sessions, roleplay_sessions.c.id == turns.c.session_id)
            .where(
                roleplay_sessions.c.conversation_id == f"wecom:{member}",
                turns.c.speaker == "rep",
                turns.c.undone_at.is_(None),
            )
            .order_by(turns.c.id)
        ).scalars()
        lines = list(rows)
    database.close()
    return lines


def _content(delivered: dict) -> str:
    return delivered.get("text", delivered.get("markdown", {}))["content"]


def test_a_callback_replayed_after_a_restart_is_not_handled_twice(wecom_bot) -> None:
    """WeCom retries a callback it got no answer to; a retry that arrives after our server
    restarted used to be handled again (the memory of MsgIds died with the process)."""
    servers, api = wecom_bot
    member = "SunQi"
    start = '/start_roleplay{"scenario": "inkjet_factory", "persona": "tiger"}'
    line = wecom.text_xml(member, "用下来有没有让您头疼的地方?", msg_id="90002")
    already = len(api.delivered)
    _post(servers, wecom.text_xml(member, start, msg_id="90001"))
    api.wait_for_delivered(already + 1, timeout=60)
    _post(servers, line)
    (answer,) = api.wait_for_delivered(already + 2, timeout=60)[already + 1 :]
    assert "喷头" in _content(answer)
    servers.kill("rasa")
    servers.start("rasa")
    assert _post(servers, line).status_code == 200  # the retry, acknowledged
    time.sleep(3)  # a second answer would have arrived by now
    assert len(api.delivered) == already + 2
    assert _stored_rep_lines(servers, member) == ["用下来有没有让您头疼的地方?"]


def test_a_line_sent_while_the_action_server_is_down_is_answered_with_please_resend(
    wecom_bot,
) -> None:
    servers, api = wecom_bot
    member = "ZhouBa"
    start = '/start_roleplay{"scenario": "inkjet_factory", "persona": "tiger"}'
    already = len(api.delivered)
    _post(servers, wecom.text_xml(member, start, msg_id="91001"))
    api.wait_for_delivered(already + 1, timeout=60)
    servers.kill("actions")
    try:
        _post(servers, wecom.text_xml(member, "贵厂现在几条线在用喷码机?", msg_id="91002"))
        (sorry,) = api.wait_for_delivered(already + 2, timeout=60)[already + 1 :]
    finally:
        servers.start("actions")
    assert _content(sorry) == RESEND_REPLY
    assert _stored_rep_lines(servers, member) == []
    _post(servers, wecom.text_xml(member, "贵厂现在几条线在用喷码机?", msg_id="91003"))
    (answer,) = api.wait_for_delivered(already + 3, timeout=60)[already + 2 :]
    assert "三条线" in _content(answer)
    assert _stored_rep_lines(servers, member) == ["贵厂现在几条线在用喷码机?"]


def test_an_over_long_message_is_answered_at_once_and_not_stored(wecom_bot) -> None:
    servers, api = wecom_bot
    already = len(api.delivered)
    _post(servers, wecom.text_xml("WuJiu", "好" * 600, msg_id="92001"))
    (answer,) = api.wait_for_delivered(already + 1, timeout=60)[already:]
    assert "600 个字" in _content(answer)
