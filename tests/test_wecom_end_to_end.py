"""WeCom end to end: encrypted callbacks go through the real Rasa server and action server,
and the bot's replies arrive at the fake WeCom API (the only fake: WeCom itself)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from bot.storage import open_database
from bot.storage.schema import identities, roleplay_sessions, teams, users
from scripts.rasa_processes import Servers, running_servers
from tests.fakes import wecom_callbacks as wecom
from tests.fakes.wecom_api import CORP_ID, SECRET, FakeWeComApi

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
    assert requests.get(f"{servers.url}/status", timeout=10).ok
    time.sleep(2)  # a reply, had the forged callback been processed, would have arrived
    assert len(api.delivered) == already
