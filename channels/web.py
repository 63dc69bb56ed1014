"""The web app's chat at /webhooks/web/webhook: a line arrives here only from the web app,
signed, for the user who is signed in there.

The REST channel believes any `sender`; if the web chat went through it, anyone who reached
Rasa could type as any rep. Here the body names the web account (`{"user": 4, "message":
"..."}`), the web app signs it (bot/adapters/web_chat_signature.py) and the conversation is
`web:<user id>`, a name no REST sender can take (REST refuses colons). Without
WEB_CHAT_SECRET the endpoint answers 503: the web chat is off, nothing else is.

Answers as the REST channel does: the same reply list, 413 for a text over the limit, 503 with
Retry-After for a turn that could not happen.

credentials.yml: `channels.web.WebChatInput:`.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.storage.accounts import WEB_CHANNEL, conversation_id
from bot.adapters.web_chat_signature import (
    SECRET_VARIABLE,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verified,
)
from channels.delivery import (
    MAX_JSON_BODY_BYTES,
    OnNewMessage,
    answer_in_json,
    body_refused,
    json_error,
    read_body,
)

logger = logging.getLogger(__name__)


class WebChatInput(InputChannel):
    def __init__(self, secret: str) -> None:
        self.secret = secret

    @classmethod
    def name(cls) -> str:
        return WEB_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        secret = os.environ.get(SECRET_VARIABLE, "")
        if not secret:
            logger.warning("%s is not set: the web app's chat is off", SECRET_VARIABLE)
        return cls(secret)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("salescoach_web", __name__)

        @blueprint.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not self.secret:
                return json_error(503, f"网页聊天未启用(未设置 {SECRET_VARIABLE})。")
            body = await read_body(request, MAX_JSON_BODY_BYTES)
            if body is None:
                return body_refused()
            headers = request.headers
            if not verified(
                self.secret, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), body
            ):
                logger.warning("web chat message refused from %s: bad signature", request.ip)
                return json_error(401, "签名无效:网页聊天只接受网页应用转发的消息。")
            try:
                data = json.loads(body)
            except ValueError:
                return json_error(400, "请求体不是合法的 JSON。")
            if not isinstance(data, dict):
                return json_error(400, '请求体应是 JSON 对象:{"user": 1, "message": "..."}。')
            user, text = data.get("user"), data.get("message")
            if not isinstance(user, int) or isinstance(user, bool) or user <= 0:
                return json_error(400, "user 应是正整数。")
            if not isinstance(text, str):
                return json_error(400, "message 应是字符串。")
            sender = conversation_id(WEB_CHANNEL, str(user))
            return await answer_in_json(request, on_new_message, text, sender, self.name())

        return blueprint
