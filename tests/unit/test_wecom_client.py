"""The active message client against a fake WeCom API served over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import pytest

from bot.adapters.wecom.client import WeComClient
from harness.fakes.wecom_api import CORP_ID, SECRET, FakeWeComApi

AGENT_ID = 1000002


@pytest.fixture
def api() -> Iterator[FakeWeComApi]:
    with FakeWeComApi() as fake:
        yield fake


def send_all(api_base: str, *sends: tuple[str, str, bool], secret: str = SECRET) -> list[bool]:
    """Each (user, content, markdown) in turn through one client, as the channel does."""

    async def scenario() -> list[bool]:
        client = WeComClient(api_base, CORP_ID, secret, AGENT_ID)
        try:
            return [await client.send(u, text, markdown=md) for u, text, md in sends]
        finally:
            await client.close()

    return asyncio.run(scenario())


def test_the_token_is_fetched_once_and_reused(api: FakeWeComApi) -> None:
    results = send_all(
        api.url, ("zhangsan", "你好", False), ("lisi", "早上好", False), ("zhangsan", "再见", False)
    )
    assert results == [True, True, True]
    assert api.token_requests == [{"corpid": CORP_ID, "corpsecret": SECRET}]
    assert {attempt.access_token for attempt in api.send_attempts} == {"token-1"}
    assert api.delivered == [
        {"touser": "zhangsan", "msgtype": "text", "agentid": AGENT_ID, "text": {"content": "你好"}},
        {"touser": "lisi", "msgtype": "text", "agentid": AGENT_ID, "text": {"content": "早上好"}},
        {"touser": "zhangsan", "msgtype": "text", "agentid": AGENT_ID, "text": {"content": "再见"}},
    ]


def test_markdown_is_sent_as_markdown(api: FakeWeComApi) -> None:
    assert send_all(api.url, ("zhangsan", "**总分 82**", True)) == [True]
    assert api.delivered == [
        {
            "touser": "zhangsan",
            "msgtype": "markdown",
            "agentid": AGENT_ID,
            "markdown": {"content": "**总分 82**"},
        }
    ]


def test_an_expired_token_is_renewed_once_and_the_message_still_arrives(
    api: FakeWeComApi,
) -> None:
    async def scenario() -> list[bool]:
        client = WeComClient(api.url, CORP_ID, SECRET, AGENT_ID)
        try:
            first = await client.send("zhangsan", "第一条")
            api.expire_tokens()
            second = await client.send("zhangsan", "第二条")
            return [first, second]
        finally:
            await client.close()

    assert asyncio.run(scenario()) == [True, True]
    assert len(api.token_requests) == 2
    assert [(a.access_token, a.errcode) for a in api.send_attempts] == [
        ("token-1", 0),
        ("token-1", 42001),
        ("token-2", 0),
    ]
    assert [m["text"]["content"] for m in api.delivered] == ["第一条", "第二条"]


@pytest.mark.parametrize("errcode", [40014, 40001])
def test_other_token_errcodes_also_renew_the_token(api: FakeWeComApi, errcode: int) -> None:
    api.fail_next_sends(errcode)
    assert send_all(api.url, ("zhangsan", "你好", False)) == [True]
    assert len(api.token_requests) == 2
    assert [a.errcode for a in api.send_attempts] == [errcode, 0]


def test_a_token_that_keeps_failing_is_retried_only_once(
    api: FakeWeComApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_all_sends(42001)
    with caplog.at_level(logging.INFO):
        assert send_all(api.url, ("zhangsan", "你好", False)) == [False]
    assert len(api.send_attempts) == 2
    assert len(api.token_requests) == 2
    assert "message/send errcode 42001: access_token expired" in caplog.text


def test_a_persistent_failure_is_logged_with_its_errcode_and_not_raised(
    api: FakeWeComApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_all_sends(45009)
    with caplog.at_level(logging.INFO):
        results = send_all(api.url, ("zhangsan", "你好", False), ("zhangsan", "在吗", False))
    assert results == [False, False]
    assert len(api.send_attempts) == 2  # no retry for errors that a new token cannot fix
    assert caplog.text.count("message/send errcode 45009: api freq out of limit") == 2


def test_an_untrusted_server_ip_is_explained(
    api: FakeWeComApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_all_sends(60020)
    with caplog.at_level(logging.INFO):
        assert send_all(api.url, ("zhangsan", "你好", False)) == [False]
    assert "errcode 60020" in caplog.text
    assert "not in the app's trusted IP list" in caplog.text
    assert "企业可信IP" in caplog.text


def test_a_wrong_secret_stops_before_sending(
    api: FakeWeComApi, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        assert send_all(api.url, ("zhangsan", "你好", False), secret="wrong-secret") == [False]
    assert api.send_attempts == []
    assert "gettoken errcode 40001: invalid credential" in caplog.text
    assert "wrong-secret" not in caplog.text


def test_an_unreachable_api_is_logged_and_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with FakeWeComApi() as gone:
        url = gone.url
    with caplog.at_level(logging.INFO):
        assert send_all(url, ("zhangsan", "你好", False)) == [False]
    assert "gettoken failed: ClientConnectorError" in caplog.text


def test_secrets_tokens_and_contents_stay_out_of_info_logs(
    api: FakeWeComApi, caplog: pytest.LogCaptureFixture
) -> None:
    api.fail_next_sends(42001, 45009)
    with caplog.at_level(logging.INFO):
        send_all(api.url, ("zhangsan", "客户说预算不够怎么办", False), ("lisi", "你好", False))
    assert caplog.text  # the errors were logged...
    for secret in (SECRET, "token-1", "token-2", "客户说预算不够", "你好"):
        assert secret not in caplog.text  # ...without any of these


def sentences(total_bytes: int) -> str:
    """Chinese sentences with mixed ends, about `total_bytes` long in UTF-8."""
    pieces = [
        "客户最关心的是交期和稳定性。",
        "您觉得现在的方案有哪些不足？",
        "太好了!",
        "我们下周二演示\n",
    ]
    text = ""
    while len(text.encode()) < total_bytes:
        text += pieces[len(text) % len(pieces)]
    return text


def test_a_long_text_is_split_at_sentence_ends_into_parts_that_fit(api: FakeWeComApi) -> None:
    text = sentences(5000)
    assert send_all(api.url, ("zhangsan", text, False)) == [True]
    parts = [message["text"]["content"] for message in api.delivered]
    assert len(parts) == 3
    assert "".join(parts) == text
    assert all(len(part.encode()) <= 2048 for part in parts)
    assert all(part[-1] in "。？!\n" for part in parts)


def test_a_long_text_without_sentence_ends_is_cut_between_characters(api: FakeWeComApi) -> None:
    text = "销售陪练" * 500  # 6,000 bytes, no punctuation; 2048 is not a multiple of 3
    assert send_all(api.url, ("zhangsan", text, False)) == [True]
    parts = [message["text"]["content"] for message in api.delivered]
    assert "".join(parts) == text
    assert [len(part.encode()) for part in parts] == [2046, 2046, 1908]
