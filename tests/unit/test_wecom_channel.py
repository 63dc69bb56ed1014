"""The WeCom channel over real HTTP on loopback: WeCom's callbacks come in through a Sanic
server that mounts the channel with Rasa's own `register`, replies go out to the fake WeCom
API. A recording coroutine stands in for Rasa's agent (a real agent needs a trained model)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage

from bot.adapters.wecom.render import TEXT_ONLY_REPLY
from bot.adapters.wecom.settings import WeComSettings, decode_aes_key
from bot.language.inbound import RESEND_REPLY
from channels.wecom import WeComInput
from harness.fakes import wecom_callbacks as wecom
from harness.fakes.rasa_stand_in import serving
from harness.fakes.wecom_api import CORP_ID, SECRET, FakeWeComApi

WEBHOOK = "/webhooks/wecom/webhook"
HANG_GUARD = aiohttp.ClientTimeout(total=30)  # a broken channel fails instead of hanging
MENU = [
    {"text": "你好!想从哪里开始?", "buttons": [
        {"title": "开始对练", "payload": "/start_roleplay"},
        {"title": "学习销售概念", "payload": "/ask_concept"},
        {"title": "做个小测验", "payload": "/start_quiz"},
    ]},
]  # fmt: skip


class StandInBot:
    """Records what Rasa would receive and answers through the message's output channel.

    `replies` maps a text to the bot's responses (Rasa's format); anything else is echoed.
    A text in `gates` is held until its event is set, like a slow model or action server.
    """

    def __init__(self, replies: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.replies = replies or {}
        self.gates: dict[str, asyncio.Event] = {}
        self.received: list[UserMessage] = []

    @property
    def texts(self) -> list[str]:
        return [message.text or "" for message in self.received]

    async def handle(self, message: UserMessage) -> None:
        self.received.append(message)
        if message.text in self.gates:
            await self.gates[message.text].wait()
        if message.text == "出错":
            raise RuntimeError("the action server is down")
        for response in self.replies.get(message.text or "", [{"text": f"收到:{message.text}"}]):
            await message.output_channel.send_response(message.sender_id, dict(response))


@dataclass
class WeCom:
    """WeCom's side of the conversation: it posts callbacks and sees what arrives."""

    http: aiohttp.ClientSession
    url: str
    api: FakeWeComApi

    async def post(self, callback: wecom.Callback) -> tuple[int, str]:
        async with self.http.post(self.url, params=callback.query, data=callback.body) as answer:
            return answer.status, await answer.text()

    async def say(self, user: str, text: str, msg_id: str) -> tuple[int, str]:
        return await self.post(wecom.callback(wecom.text_xml(user, text, msg_id)))

    async def delivered(self, count: int) -> list[dict[str, Any]]:
        """The first `count` messages the app sent, once they have all arrived."""
        return (await asyncio.to_thread(self.api.wait_for_delivered, count))[:count]

    async def contents(self, count: int) -> list[tuple[str, str]]:
        messages = await self.delivered(count)
        return [(m["touser"], m[m["msgtype"]]["content"]) for m in messages]


@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's channel remembers callbacks in a database of its own: MsgIds are taken
    once per database, and these tests reuse them."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'salescoach.db'}")


@pytest.fixture
def api() -> Iterator[FakeWeComApi]:
    with FakeWeComApi() as fake:
        yield fake


def settings(api: FakeWeComApi, max_skew_seconds: int = 300) -> WeComSettings:
    return WeComSettings(
        corp_id=CORP_ID,
        agent_id=wecom.AGENT_ID,
        secret=SECRET,
        token=wecom.TOKEN,
        aes_key=decode_aes_key(wecom.AES_KEY_43),
        api_base=api.url,
        max_skew_seconds=max_skew_seconds,
    )


def converse(
    api: FakeWeComApi,
    bot: StandInBot,
    scenario: Callable[[WeCom], Awaitable[None]],
    channel: WeComInput | None = None,
) -> None:
    async def main() -> None:
        async with (
            serving(channel or WeComInput(settings(api)), bot.handle) as base,
            aiohttp.ClientSession(timeout=HANG_GUARD) as http,
        ):
            await scenario(WeCom(http, base + WEBHOOK, api))

    asyncio.run(main())


def test_a_callback_is_acknowledged_with_an_empty_200_before_the_bot_answers(
    api: FakeWeComApi,
) -> None:
    bot = StandInBot()
    bot.gates["你好"] = asyncio.Event()

    async def scenario(wecom_side: WeCom) -> None:
        assert await wecom_side.say("zhangsan", "你好", "1001") == (200, "")
        assert api.delivered == []  # the bot cannot have answered: it is still held
        bot.gates["你好"].set()
        assert await wecom_side.contents(1) == [("zhangsan", "收到:你好")]

    converse(api, bot, scenario)
    [message] = bot.received
    # The member's conversation is the channel's own: no REST sender can name it.
    assert (message.sender_id, message.message_id, message.input_channel) == (
        "wecom:zhangsan",
        "1001",
        "wecom",
    )


def test_a_retried_callback_is_handled_once_even_while_the_first_is_in_progress(
    api: FakeWeComApi,
) -> None:
    bot = StandInBot()
    bot.gates["第一句"] = asyncio.Event()
    first = wecom.callback(wecom.text_xml("zhangsan", "第一句", "2001"))

    async def scenario(wecom_side: WeCom) -> None:
        assert await wecom_side.post(first) == (200, "")
        assert await wecom_side.post(first) == (200, "")  # WeCom's retry, first still held
        bot.gates["第一句"].set()
        await wecom_side.say("zhangsan", "第二句", "2002")
        await wecom_side.delivered(2)
        assert await wecom_side.post(first) == (200, "")  # a late retry
        await wecom_side.say("zhangsan", "第三句", "2003")
        await wecom_side.delivered(3)

    converse(api, bot, scenario)
    assert bot.texts == ["第一句", "第二句", "第三句"]
    assert len(api.delivered) == 3


def test_a_repeated_enter_event_gets_one_welcome(api: FakeWeComApi) -> None:
    bot = StandInBot({"/greet": MENU})
    enter = wecom.callback(wecom.event_xml("zhangsan", "enter_agent", 1700000000))

    async def scenario(wecom_side: WeCom) -> None:
        assert await wecom_side.post(enter) == (200, "")
        assert await wecom_side.post(enter) == (200, "")
        await wecom_side.say("zhangsan", "你好", "2101")
        await wecom_side.delivered(2)

    converse(api, bot, scenario)
    assert bot.texts == ["/greet", "你好"]


def test_one_members_messages_are_answered_in_order_without_holding_up_others(
    api: FakeWeComApi,
) -> None:
    bot = StandInBot()
    bot.gates["一"] = asyncio.Event()

    async def scenario(wecom_side: WeCom) -> None:
        await wecom_side.say("zhangsan", "一", "3001")
        await wecom_side.say("zhangsan", "二", "3002")
        await wecom_side.say("lisi", "我是李四", "3003")
        assert await wecom_side.contents(1) == [("lisi", "收到:我是李四")]
        bot.gates["一"].set()
        assert (await wecom_side.contents(3))[1:] == [
            ("zhangsan", "收到:一"),
            ("zhangsan", "收到:二"),
        ]

    converse(api, bot, scenario)


def test_entering_the_app_shows_the_menu_and_a_digit_picks_an_option(api: FakeWeComApi) -> None:
    bot = StandInBot({"/greet": MENU})

    async def scenario(wecom_side: WeCom) -> None:
        enter = wecom.callback(wecom.event_xml("zhangsan", "enter_agent", int(time.time())))
        assert await wecom_side.post(enter) == (200, "")
        [(_, menu)] = await wecom_side.contents(1)
        assert menu == (
            "你好!想从哪里开始?\n回复数字选择:\n1. 开始对练\n2. 学习销售概念\n3. 做个小测验"
        )
        await wecom_side.say("zhangsan", "2", "4001")
        await wecom_side.delivered(2)
        await wecom_side.say("zhangsan", "2", "4002")  # the offer was for one message only
        await wecom_side.delivered(3)

    converse(api, bot, scenario)
    assert bot.texts == ["/greet", "/ask_concept", "2"]


def test_a_full_width_digit_also_picks_an_option(api: FakeWeComApi) -> None:
    bot = StandInBot({"帮助": MENU})

    async def scenario(wecom_side: WeCom) -> None:
        await wecom_side.say("zhangsan", "帮助", "4101")
        await wecom_side.delivered(1)
        await wecom_side.say("zhangsan", "３", "4102")
        await wecom_side.delivered(2)

    converse(api, bot, scenario)
    assert bot.texts == ["帮助", "/start_quiz"]


def test_everything_the_bot_says_to_one_message_arrives_as_one_message(api: FakeWeComApi) -> None:
    bot = StandInBot({
        "帮助": [
            {"text": "第一段\n\n第二段"},
            {"text": "第三条"},
            {"text": "选一个", "buttons": [{"title": "考考我", "payload": "/start_quiz"}]},
            {"image": "https://example.invalid/chart.png"},
        ]
    })  # fmt: skip

    async def scenario(wecom_side: WeCom) -> None:
        await wecom_side.say("zhangsan", "帮助", "5001")
        await wecom_side.delivered(1)
        await wecom_side.say("zhangsan", "再见", "5002")  # anything still queued comes first
        await wecom_side.delivered(2)

    converse(api, bot, scenario)
    assert len(api.send_attempts) == 2
    assert api.delivered[0] == {
        "touser": "zhangsan",
        "msgtype": "text",
        "agentid": wecom.AGENT_ID,
        "text": {
            "content": "第一段\n\n第二段\n\n第三条\n\n选一个\n回复数字选择:\n1. 考考我"
            "\n\nhttps://example.invalid/chart.png"
        },
    }


def test_a_report_is_sent_as_markdown_and_chat_as_text(api: FakeWeComApi) -> None:
    report = "📋 对练报告\n**总分:82**\n- SPIN 提问:良好"
    bot = StandInBot({"结束对练": [{"text": report}], "总分多少": [{"text": "总分在报告里。"}]})

    async def scenario(wecom_side: WeCom) -> None:
        await wecom_side.say("zhangsan", "结束对练", "6001")
        await wecom_side.say("zhangsan", "总分多少", "6002")
        await wecom_side.delivered(2)

    converse(api, bot, scenario)
    assert [m["msgtype"] for m in api.delivered] == ["markdown", "text"]
    assert api.delivered[0]["markdown"] == {"content": report}


def test_an_image_gets_a_polite_request_to_type(api: FakeWeComApi) -> None:
    bot = StandInBot()

    async def scenario(wecom_side: WeCom) -> None:
        assert await wecom_side.post(wecom.callback(wecom.image_xml("zhangsan", "7001"))) == (
            200,
            "",
        )
        assert await wecom_side.contents(1) == [("zhangsan", TEXT_ONLY_REPLY)]

    converse(api, bot, scenario)
    assert bot.received == []


def test_other_events_are_acknowledged_and_ignored(api: FakeWeComApi) -> None:
    bot = StandInBot()

    async def scenario(wecom_side: WeCom) -> None:
        view = wecom.callback(wecom.event_xml("zhangsan", "view", int(time.time())))
        assert await wecom_side.post(view) == (200, "")
        await wecom_side.say("zhangsan", "你好", "7101")
        await wecom_side.delivered(1)

    converse(api, bot, scenario)
    assert bot.texts == ["你好"]


def test_when_the_bot_fails_the_rep_gets_an_apology(api: FakeWeComApi) -> None:
    bot = StandInBot()

    async def scenario(wecom_side: WeCom) -> None:
        await wecom_side.say("zhangsan", "出错", "7201")
        await wecom_side.say("zhangsan", "你好", "7202")
        assert await wecom_side.contents(2) == [
            ("zhangsan", RESEND_REPLY),
            ("zhangsan", "收到:你好"),
        ]

    converse(api, bot, scenario)


def test_url_verification_answers_the_plaintext(api: FakeWeComApi) -> None:
    echo = "1616140317555161061"
    echostr = wecom.encrypt(echo)
    stamp, nonce = str(int(time.time())), "1597212914"
    query = {"msg_signature": wecom.sign(stamp, nonce, echostr), "timestamp": stamp}
    query |= {"nonce": nonce, "echostr": echostr}
    hour_ago = str(int(time.time()) - 3600)
    stale = query | {"timestamp": hour_ago, "msg_signature": wecom.sign(hour_ago, nonce, echostr)}
    answers: list[tuple[int, str, str]] = []

    async def scenario(wecom_side: WeCom) -> None:
        for params in (query, query | {"msg_signature": "0" * 40}, stale):
            async with wecom_side.http.get(wecom_side.url, params=params) as answer:
                answers.append((answer.status, answer.content_type, await answer.text()))

    converse(api, StandInBot(), scenario)
    assert answers[0] == (200, "text/plain", echo)
    assert [status for status, _, _ in answers[1:]] == [403, 403]


def signed(encrypted: str, body: bytes | None = None) -> wecom.Callback:
    """A callback whose signature is right for `encrypted`, whatever that contains."""
    stamp, nonce = str(int(time.time())), "42"
    query = {"msg_signature": wecom.sign(stamp, nonce, encrypted), "timestamp": stamp}
    return wecom.Callback(query | {"nonce": nonce}, body or wecom.envelope(encrypted))


def padded_badly() -> str:
    xml = wecom.text_xml("zhangsan", "你好", "1").encode()
    plain = bytes(16) + len(xml).to_bytes(4, "big") + xml + CORP_ID.encode()
    return wecom.encrypt_raw(plain + b"a" * (-(len(plain) + 1) % 32) + bytes([0]))


def without_signature() -> wecom.Callback:
    callback = wecom.callback(wecom.text_xml("zhangsan", "你好", "1"))
    return wecom.Callback({"timestamp": callback.query["timestamp"]}, callback.body)


BAD_CALLBACKS: dict[str, tuple[Callable[[], wecom.Callback], int]] = {
    "wrong-signature": (
        lambda: wecom.callback(wecom.text_xml("zhangsan", "你好", "1"), token="not-our-token"),
        403,
    ),
    "stale-timestamp": (
        lambda: wecom.callback(
            wecom.text_xml("zhangsan", "你好", "1"), timestamp=int(time.time()) - 3600
        ),
        403,
    ),
    "no-signature": (without_signature, 400),
    "not-xml": (lambda: signed("abc", b"{'json': 'maybe'}"), 400),
    "no-encrypt": (lambda: signed("abc", b"<xml><ToUserName>ww</ToUserName></xml>"), 400),
    "doctype": (
        lambda: signed("abc", b'<!DOCTYPE x [<!ENTITY e "abc">]><xml><Encrypt>&e;</Encrypt></xml>'),
        400,
    ),
    "bad-base64": (lambda: signed("!!not-base64!!"), 400),
    "bad-padding": (lambda: signed(padded_badly()), 400),
    "other-corp": (
        lambda: signed(wecom.encrypt(wecom.text_xml("zhangsan", "你好", "1"), corp_id="wwother")),
        400,
    ),
    "inner-not-xml": (lambda: signed(wecom.encrypt("你好")), 400),
    "inner-no-sender": (
        lambda: signed(
            wecom.encrypt(wecom.text_xml("zhangsan", "你好", "1").replace("FromUserName", "Who"))
        ),
        400,
    ),
    "empty-body": (lambda: wecom.Callback(signed("abc").query, b""), 400),
}


@pytest.mark.parametrize("case", BAD_CALLBACKS)
def test_a_bad_callback_is_refused_and_the_next_good_one_is_served(
    api: FakeWeComApi, case: str
) -> None:
    make, status = BAD_CALLBACKS[case]
    bot = StandInBot()

    async def scenario(wecom_side: WeCom) -> None:
        assert (await wecom_side.post(make()))[0] == status
        assert await wecom_side.say("zhangsan", "正常消息", "8001") == (200, "")
        await wecom_side.delivered(1)

    converse(api, bot, scenario)
    assert bot.texts == ["正常消息"]


def test_an_old_recorded_callback_is_accepted_when_the_check_is_off(api: FakeWeComApi) -> None:
    recorded = wecom.callback(wecom.text_xml("zhangsan", "录下来的", "8101"), timestamp=1700000000)
    bot = StandInBot()

    async def scenario(wecom_side: WeCom) -> None:
        assert await wecom_side.post(recorded) == (200, "")
        await wecom_side.delivered(1)

    converse(api, bot, scenario, WeComInput(settings(api, max_skew_seconds=0)))
    assert bot.texts == ["录下来的"]


async def chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, total, size):
        yield b"x" * min(size, total - start)


def test_oversized_bodies_are_refused_and_the_server_keeps_serving(api: FakeWeComApi) -> None:
    bot = StandInBot()
    query = wecom.callback(wecom.text_xml("zhangsan", "你好", "1")).query
    statuses: list[int] = []

    async def scenario(wecom_side: WeCom) -> None:
        too_big = 1024 * 1024 + 1
        async with wecom_side.http.post(wecom_side.url, params=query, data=b"<" * too_big) as a:
            statuses.append(a.status)  # declared by Content-Length
        async with wecom_side.http.post(wecom_side.url, params=query, data=chunks(too_big)) as a:
            statuses.append(a.status)  # chunked: only the arriving bytes tell
        assert await wecom_side.say("zhangsan", "还在吗", "9001") == (200, "")
        await wecom_side.delivered(1)

    converse(api, bot, scenario)
    assert statuses == [400, 400]
    assert bot.texts == ["还在吗"]


def test_without_settings_the_channel_answers_503_and_says_why_once(
    api: FakeWeComApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WECOM_AES_KEY", "too-short-secret-value")
    channel = WeComInput.from_credentials(None)
    statuses: list[int] = []

    async def scenario(wecom_side: WeCom) -> None:
        callback = wecom.callback(wecom.text_xml("zhangsan", "你好", "1"))
        statuses.append((await wecom_side.post(callback))[0])
        async with wecom_side.http.get(wecom_side.url, params=callback.query) as answer:
            statuses.append(answer.status)

    converse(api, StandInBot(), scenario, channel)
    assert statuses == [503, 503]
    [record] = [r for r in caplog.records if r.name == "channels.wecom"]
    assert "WECOM_CORP_ID" in record.getMessage() and "WECOM_SECRET" in record.getMessage()
    assert "too-short-secret-value" not in caplog.text
