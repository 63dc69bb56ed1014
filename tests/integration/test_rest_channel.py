"""The REST channel answers every request a client can send with something it can act on:
4xx with a reason for a malformed request, 413 with a Chinese message for an over-long text,
a normal answer for odd but valid text; never a 500, a silent 200 or a stack trace."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from bot.language.inbound import MAX_MESSAGE_CHARS
from tests.support.rasa_server import RasaServer

pytestmark = pytest.mark.slow


def _post(server: RasaServer, body: bytes | str, content_type: str = "application/json"):
    return requests.post(
        f"{server.url}/webhooks/rest/webhook",
        data=body.encode() if isinstance(body, str) else body,
        headers={"Content-Type": content_type},
        timeout=60,
    )


def _json(value: object) -> str:
    return json.dumps(value)


MALFORMED = {
    "not json": ("{sender: rep", 400, "JSON"),
    "a json array": (_json([{"sender": "x", "message": "你好"}]), 400, "JSON 对象"),
    "a json string": (_json("你好"), 400, "JSON 对象"),
    "no sender": (_json({"message": "你好"}), 400, "sender"),
    "sender a number": (_json({"sender": 7, "message": "你好"}), 400, "sender"),
    "sender empty": (_json({"sender": "  ", "message": "你好"}), 400, "sender"),
    "sender with a control": (_json({"sender": "rep\u0000", "message": "你好"}), 400, "sender"),
    "sender with a colon": (_json({"sender": "wecom:WangWu", "message": "你好"}), 400, "冒号"),
    "sender too long": (_json({"sender": "r" * 300, "message": "你好"}), 400, "sender"),
    "no message": (_json({"sender": "rep-x"}), 400, "message"),
    "message a number": (_json({"sender": "rep-x", "message": 5}), 400, "message"),
    "message a list": (_json({"sender": "rep-x", "message": ["你好"]}), 400, "message"),
    "metadata a list": (
        _json({"sender": "rep-x", "message": "你好", "metadata": []}),
        400,
        "metadata",
    ),
    "not utf-8": (b'{"sender": "rep-x", "message": "\xff\xfe"}', 400, "JSON"),
    "empty body": (b"", 413, "为空"),
    "a 1 MB body": (_json({"sender": "rep-x", "message": "好" * 1_000_000}), 413, "64 KB"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_request_gets_a_4xx_with_its_reason(rasa_server: RasaServer, case) -> None:
    body, status, reason = MALFORMED[case]
    started = time.perf_counter()
    response = _post(rasa_server, body)
    assert (response.status_code, reason in response.json()["error"]) == (status, True)
    assert time.perf_counter() - started < 10  # refused, not parsed for seconds


ODD_BUT_VALID = [
    "",  # nothing typed: the coach asks for something
    "   ",
    "😀😀😀",
    "Hi, I'd like to practise a sales visit",
    "我想練習一下拜訪,來個老虎型的客戶",  # traditional
    "您好\ud800王总",  # a lone surrogate: cleaned, not raised on
    "你好\u0000\u0007",
    "好" * MAX_MESSAGE_CHARS,
    "<script>alert(1)</script>",
    "A",  # a quiz letter with no quiz running
]


@pytest.mark.parametrize("text", ODD_BUT_VALID)
def test_odd_but_valid_text_is_answered_in_chinese(rasa_server: RasaServer, text: str) -> None:
    response = rasa_server.post(f"odd-{uuid.uuid4().hex[:8]}", text)
    assert response.status_code == 200
    replies = response.json()
    assert replies and all(reply["text"] for reply in replies)
    assert any("\u4e00" <= char <= "\u9fff" for reply in replies for char in reply["text"])


def test_an_over_long_text_is_answered_at_once_in_the_reply_format(rasa_server) -> None:
    sender = f"long-{uuid.uuid4().hex[:8]}"
    response = rasa_server.post(sender, "好" * (MAX_MESSAGE_CHARS + 1))
    assert response.status_code == 413
    (reply,) = response.json()
    assert reply["recipient_id"] == sender and f"{MAX_MESSAGE_CHARS + 1} 个字" in reply["text"]


def test_the_channel_name_comes_from_the_server_not_the_request(rasa_server) -> None:
    """Rasa's REST channel took `input_channel` from the body: a REST client could pass
    itself off as a WeCom member."""
    sender = f"spoof-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "你好", "input_channel": "wecom"}
    assert _post(rasa_server, _json(body)).status_code == 200
    tracker = requests.get(rasa_server.api(f"/conversations/{sender}/tracker"), timeout=30).json()
    assert tracker["latest_input_channel"] == "rest"


def test_no_bad_request_left_a_stack_trace_in_the_log(rasa_server) -> None:
    for body, _, _ in MALFORMED.values():
        _post(rasa_server, body)
    for text in ODD_BUT_VALID:
        rasa_server.post(f"odd-{uuid.uuid4().hex[:8]}", text)
    assert "Traceback" not in rasa_server.log.read_text(encoding="utf-8", errors="replace")
