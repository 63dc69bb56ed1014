"""WeCom (企业微信) self-built app channel, served at /webhooks/wecom/webhook.

Callbacks are checked and acknowledged at once with an empty 200, because WeCom retries any
callback not answered within 5 seconds; the bot's reply follows later through the active
message API. The work runs in tasks on Rasa's own event loop, one queue per member.

Settings come from WECOM_* environment variables (see `bot.wecom.settings`). Without them the
channel still loads, so the server starts, and its endpoint answers 503.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.storage import Storage, open_database
from bot.wecom.callback import CallbackRejected, open_message, verify_url
from bot.wecom.choices import OfferedChoices
from bot.wecom.client import WeComClient
from bot.wecom.inbox import SeenIds, UserLanes
from bot.wecom.messages import ENTER_AGENT, EVENT, TEXT, InboundMessage
from bot.wecom.render import SORRY_REPLY, TEXT_ONLY_REPLY, render_reply
from bot.wecom.settings import REQUIRED, SettingsError, WeComSettings

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
WELCOME_PAYLOAD = "/greet"  # the greet intent answers with the menu
SHUTDOWN_GRACE_SECONDS = 10.0

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WeComInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeComInput:
        if credentials:
            logger.warning(
                "WeCom settings in credentials.yml are ignored; set WECOM_* variables instead"
            )
        try:
            return cls(WeComSettings.from_env(os.environ))
        except SettingsError as error:
            configured = any(os.environ.get(name) for name in REQUIRED)
            log = logger.error if configured else logger.warning
            log("WeCom channel disabled, its webhook answers 503: %s", error)
            return cls(None)

    def __init__(self, settings: WeComSettings | None) -> None:
        self._settings = settings
        self._client = (
            WeComClient(settings.api_base, settings.corp_id, settings.secret, settings.agent_id)
            if settings
            else None
        )
        self._seen = SeenIds()
        self._choices = OfferedChoices()
        self._storage: Storage | None = None
        self._storage_lock = threading.Lock()
        self._known_users: set[str] = set()

    async def note_user(self, userid: str) -> None:
        """On a member's first message, make sure the project knows him: a rep in the default
        team, so his WeCom sessions show up for trainers with everything else. The database
        call runs in a worker thread so the event loop keeps acknowledging callbacks."""
        if userid in self._known_users:
            return
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._register, userid)
        except SQLAlchemyError:
            logger.exception("could not register WeCom user; will try on the next message")
            return
        self._known_users.add(userid)

    def _register(self, userid: str) -> None:
        with self._storage_lock:
            if self._storage is None:
                self._storage = Storage(open_database())
        self._storage.rep_for(self.name(), userid)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("wecom_webhook")
        settings, client = self._settings, self._client
        if settings is None or client is None:

            @blueprint.route("/webhook", methods=["GET", "POST"])
            async def unconfigured(request: Request) -> HTTPResponse:
                return response.text("WeCom channel not configured", status=503)

            return blueprint

        lanes: UserLanes[InboundMessage] = UserLanes(
            lambda message: self._handle(on_new_message, client, message)
        )

        @blueprint.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            try:
                plaintext = verify_url(settings, _query(request), time.time())
            except CallbackRejected as rejected:
                return _rejection(rejected)
            logger.info("WeCom callback URL verified")
            return response.text(plaintext)

        @blueprint.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            body = await _read_body(request)
            if body is None:
                return _rejection(CallbackRejected(400, "body missing or over 1 MB"))
            try:
                message = open_message(settings, _query(request), body, time.time())
            except CallbackRejected as rejected:
                return _rejection(rejected)
            if not self._seen.first_time(message.dedup_key):
                logger.debug("WeCom retry of %s ignored", message.dedup_key)
            elif message.msg_type == EVENT and message.event != ENTER_AGENT:
                logger.debug("WeCom event %s ignored", message.event)
            else:
                logger.info("WeCom %s from %s", message.msg_type, message.from_user)
                lanes.submit(message.from_user, message)
            return response.text("")

        @blueprint.listener("before_server_stop")
        async def finish_work(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
            with suppress(TimeoutError):
                await asyncio.wait_for(lanes.wait_idle(), SHUTDOWN_GRACE_SECONDS)
            await client.close()

        return blueprint

    async def _handle(
        self, on_new_message: OnNewMessage, client: WeComClient, message: InboundMessage
    ) -> None:
        user = message.from_user
        await self.note_user(user)
        if message.msg_type == TEXT:
            text = self._choices.resolve(user, message.content)
            await self._ask_bot(on_new_message, client, user, text, message.msg_id)
        elif message.msg_type == EVENT:  # enter_agent: the only event let through
            await self._ask_bot(on_new_message, client, user, WELCOME_PAYLOAD, None)
        else:
            # Images, voice, files...: the offered options stay valid for the typed answer.
            await client.send(user, TEXT_ONLY_REPLY)

    async def _ask_bot(
        self,
        on_new_message: OnNewMessage,
        client: WeComClient,
        user: str,
        text: str,
        message_id: str | None,
    ) -> None:
        collector = CollectingOutputChannel()
        try:
            await on_new_message(
                UserMessage(text, collector, user, input_channel=self.name(), message_id=message_id)
            )
        except Exception:
            logger.exception("The bot failed on a WeCom message from %s", user)
            await client.send(user, SORRY_REPLY)
            return
        if not collector.messages:  # e.g. the action server is down: Rasa answered nothing
            logger.error("The bot gave no answer to a WeCom message from %s", user)
            await client.send(user, SORRY_REPLY)
            return
        reply = render_reply(collector.messages)
        self._choices.offer(user, reply.choices)
        await client.send(user, reply.content, markdown=reply.markdown)


def _query(request: Request) -> dict[str, str]:
    return {name: request.args.get(name, "") for name in request.args}


async def _read_body(request: Request) -> bytes | None:
    """The body, or None if it is empty or larger than WeCom would ever send; the size is
    checked on the declared length first and then on what actually arrives."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return None
    chunks: list[bytes] = []
    size = 0
    while (chunk := await request.stream.read()) is not None:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks) or None


def _rejection(rejected: CallbackRejected) -> HTTPResponse:
    logger.warning("WeCom callback rejected (%s): %s", rejected.status, rejected.reason)
    return response.text("rejected", status=rejected.status)
