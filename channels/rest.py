"""The REST channel at /webhooks/rest/webhook, with the answers a client can rely on.

Rasa's own REST channel answers 200 with nothing when a turn fails, 500 with a stack trace
for a body that is not a JSON object, and takes a megabyte of text to the NLU. This one:

- 400 with a reason for a body that is not a JSON object with string `sender` and `message`;
  413 for a body over 64 KB, refused before it is read;
- cleans characters that cannot be stored (a lone surrogate) and answers a text over the
  shared limit at once, status 413, with a Chinese message in the usual reply format;
- answers 503 with a Chinese "please send it again" in the reply format when the turn could
  not happen (tracker store or action server unreachable), so nothing is lost silently;
- takes the channel name from the server, never from the request body;
- warms the server up once it has loaded the model (`channels.delivery.warm_up`).

credentials.yml: `channels.rest.RestInput:` (it keeps the name "rest" and the same URL).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.language.text import clean
from channels.delivery import (
    MAX_JSON_BODY_BYTES,
    OnNewMessage,
    answer_in_json,
    body_refused,
    json_error,
    read_body,
    warm_up,
)

MAX_SENDER_CHARS = 255  # the width of the conversation id column


class RequestRejected(ValueError):
    """A request no conversation can be made of; the text says why."""


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("salescoach_rest", __name__)

        @blueprint.listener("after_server_start")
        async def warm(app: Sanic, _loop: object) -> None:
            await warm_up(app)

        @blueprint.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            body = await read_body(request, MAX_JSON_BODY_BYTES)
            if body is None:
                return body_refused()
            try:
                sender, text, metadata = _parse(body)
            except RequestRejected as rejected:
                return json_error(400, str(rejected))
            return await answer_in_json(
                request, on_new_message, text, sender, self.name(), metadata
            )

        return blueprint


def _parse(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """sender, message and metadata of a request body."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise RequestRejected("请求体不是合法的 JSON。") from error
    if not isinstance(data, dict):
        raise RequestRejected('请求体应是 JSON 对象:{"sender": "...", "message": "..."}。')
    sender, message, metadata = data.get("sender"), data.get("message"), data.get("metadata")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        raise RequestRejected(f"sender 应是 1 到 {MAX_SENDER_CHARS} 个字符的字符串。")
    if clean(sender) != sender:
        raise RequestRejected("sender 含有控制字符、无效字符或首尾空白。")
    if ":" in sender:  # other channels' conversations are named "<channel>:<id>"
        raise RequestRejected("sender 不能含有冒号。")
    if not isinstance(message, str):
        raise RequestRejected("message 应是字符串。")
    if metadata is not None and not isinstance(metadata, dict):
        raise RequestRejected("metadata 应是 JSON 对象。")
    return sender, message, metadata
