"""WeCom (企业微信) self-built app channel, served at /webhooks/wecom/webhook.

Callbacks are checked and acknowledged at once with an empty 200, because WeCom retries any
callback not answered within 5 seconds; the bot's reply follows later through the active
message API. The work runs in tasks on Rasa's own event loop, one queue per member.

A callback is taken once across restarts and processes: its MsgId is written to the database
(set if absent) before it is acknowledged, and marked handled once the member has his answer.
A sweep finds callbacks whose handling never finished (the server was killed) and asks their
senders to send them again; a turn that fails (action server or database unreachable) is
answered the same way at once, so no line is lost without the member knowing.

With REDIS_URL set, what the channel remembers between callbacks (each member's queue, the
numbered options offered to him, the access token) is kept in Redis and shared by every
replica behind the balancer (`bot.adapters.wecom.shared`, docs/cluster.md); without it, in
this process's memory.

Settings come from WECOM_* environment variables (see `bot.adapters.wecom.settings`).
Without them the channel still loads, so the server starts, and its endpoint answers 503.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import timedelta
from typing import Any

from rasa.core.channels.channel import InputChannel
from redis.asyncio import Redis
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import SQLAlchemyError

from bot.adapters.storage import Database, Storage, open_database
from bot.adapters.storage.accounts import conversation_id
from bot.adapters.storage.inbox import Inbox
from bot.adapters.ticket_locks import TicketLocks, connect
from bot.adapters.wecom.callback import CallbackRejected, open_message, verify_url
from bot.adapters.wecom.choices import OfferedChoices
from bot.adapters.wecom.client import WeComClient
from bot.adapters.wecom.inbox import SeenIds, UserLanes
from bot.adapters.wecom.messages import ENTER_AGENT, EVENT, TEXT, InboundMessage
from bot.adapters.wecom.render import TEXT_ONLY_REPLY, render_reply
from bot.adapters.wecom.settings import REQUIRED, SettingsError, WeComSettings
from bot.adapters.wecom.shared import (
    LANE_PREFIX,
    Lanes,
    LocalMemory,
    RedisMemory,
    SharedLanes,
    SharedMemory,
)
from bot.language.inbound import RESEND_REPLY, inbound
from channels.delivery import OnNewMessage, ask_bot, fail_loudly, read_body

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
WELCOME_PAYLOAD = "/greet"  # the greet intent answers with the menu
SHUTDOWN_GRACE_SECONDS = 10.0
SWEEP_SECONDS = 30.0
# A callback taken longer ago than any turn takes, and still not handled, was being handled
# by a server that died; older than RESEND_WITHIN, its sender has long moved on.
HANDLING_TIMEOUT = timedelta(seconds=60)
RESEND_WITHIN = timedelta(minutes=10)
UNFINISHED_REPLY = "抱歉,刚才服务重启,你之前发的一条消息没有处理完,也没有记录 😥 请把它再发一次。"


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
        redis_url = os.environ.get("REDIS_URL", "").strip()
        redis = connect(redis_url) if redis_url else None  # connects on first use
        try:
            return cls(WeComSettings.from_env(os.environ), redis)
        except SettingsError as error:
            configured = any(os.environ.get(name) for name in REQUIRED)
            log = logger.error if configured else logger.warning
            log("WeCom channel disabled, its webhook answers 503: %s", error)
            return cls(None)

    def __init__(self, settings: WeComSettings | None, redis: Redis | None = None) -> None:
        """`redis`: shared by all replicas (queues, offers, token); None: this process alone."""
        self._settings = settings
        self._redis = redis
        memory: SharedMemory = LocalMemory()
        if redis is not None:
            memory = RedisMemory(redis)
        self._client = (
            WeComClient(
                settings.api_base,
                settings.corp_id,
                settings.secret,
                settings.agent_id,
                memory=memory,
            )
            if settings
            else None
        )
        self._seen = SeenIds()  # in front of the database: WeCom's quick retries cost no query
        self._choices = OfferedChoices(memory)
        self._database: Database | None = None
        self._database_lock = threading.Lock()
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

    def _open(self) -> Database:
        with self._database_lock:
            if self._database is None:
                self._database = open_database()
            return self._database

    def _register(self, userid: str) -> None:
        Storage(self._open()).rep_for(self.name(), userid)

    async def _in_thread(self, work: Callable[[], Any]) -> Any:
        """Database work off the event loop, which keeps acknowledging callbacks meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(None, work)

    async def take(self, message: InboundMessage) -> bool:
        """True the first time this callback is seen by any process since long before any
        retry; a database that is down leaves the in-memory check alone to decide."""
        if not self._seen.first_time(message.dedup_key):
            return False
        try:
            inbox = Inbox(await self._in_thread(self._open))
            key, user = message.dedup_key, message.from_user
            return await self._in_thread(lambda: inbox.take(self.name(), key, user))
        except SQLAlchemyError:
            logger.exception("WeCom callback not recorded; de-duplicated in memory only")
            return True

    async def _finished(self, message: InboundMessage) -> None:
        try:
            inbox = Inbox(await self._in_thread(self._open))
            await self._in_thread(lambda: inbox.done(self.name(), message.dedup_key))
        except SQLAlchemyError:
            logger.exception("could not mark a WeCom callback handled")

    async def sweep(self, client: WeComClient) -> None:
        """Ask senders of callbacks whose handling died with a server to send them again."""
        try:
            inbox = Inbox(await self._in_thread(self._open))
            unfinished = await self._in_thread(
                lambda: inbox.unfinished(self.name(), HANDLING_TIMEOUT, RESEND_WITHIN)
            )
            await self._in_thread(inbox.prune)
        except SQLAlchemyError:
            logger.exception("could not look for unfinished WeCom callbacks")
            return
        for item in unfinished:
            logger.warning("WeCom callback %s was never finished; asking to resend", item.key)
            await client.send(item.sender, UNFINISHED_REPLY)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint("wecom_webhook")
        settings, client = self._settings, self._client
        if settings is None or client is None:

            @blueprint.route("/webhook", methods=["GET", "POST"])
            async def unconfigured(request: Request) -> HTTPResponse:
                return response.text("WeCom channel not configured", status=503)

            return blueprint

        configured: WeComClient = client

        async def handle(message: InboundMessage) -> None:
            await self._handle(on_new_message, configured, message)

        lanes: Lanes[InboundMessage] = UserLanes(handle)
        if self._redis is not None:
            lanes = SharedLanes(TicketLocks(self._redis, LANE_PREFIX), handle)

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
            body = await read_body(request, MAX_BODY_BYTES)
            if body is None:
                return _rejection(CallbackRejected(400, "body missing or over 1 MB"))
            try:
                message = open_message(settings, _query(request), body, time.time())
            except CallbackRejected as rejected:
                return _rejection(rejected)
            fail_loudly(request)
            if not await self.take(message):
                logger.debug("WeCom retry of %s ignored", message.dedup_key)
            elif message.msg_type == EVENT and message.event != ENTER_AGENT:
                logger.debug("WeCom event %s ignored", message.event)
            else:
                logger.info("WeCom %s from %s", message.msg_type, message.from_user)
                await lanes.submit(message.from_user, message)
            return response.text("")

        sweeper: list[asyncio.Task[None]] = []

        @blueprint.listener("after_server_start")
        async def start_sweeping(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
            async def sweep_forever() -> None:
                while True:
                    await self.sweep(client)
                    await asyncio.sleep(SWEEP_SECONDS)

            sweeper.append(loop.create_task(sweep_forever()))

        @blueprint.listener("before_server_stop")
        async def finish_work(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
            for task in sweeper:
                task.cancel()
            with suppress(TimeoutError):
                await asyncio.wait_for(lanes.wait_idle(), SHUTDOWN_GRACE_SECONDS)
            await client.close()

        return blueprint

    async def _handle(
        self, on_new_message: OnNewMessage, client: WeComClient, message: InboundMessage
    ) -> None:
        try:
            await self._answer(on_new_message, client, message)
        finally:
            await self._finished(message)

    async def _answer(
        self, on_new_message: OnNewMessage, client: WeComClient, message: InboundMessage
    ) -> None:
        user = message.from_user
        await self.note_user(user)
        if message.msg_type == TEXT:
            prepared = inbound(message.content)
            if prepared.refusal:  # answered at once; the offered options stay valid
                await client.send(user, prepared.refusal)
                return
            text = await self._choices.resolve(user, prepared.text)
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
        conversation = conversation_id(self.name(), user)  # never a REST sender's
        replies = await ask_bot(
            on_new_message, text, conversation, self.name(), message_id=message_id
        )
        if replies is None:  # the turn did not happen: nothing stored, the member resends
            await client.send(user, RESEND_REPLY)
            return
        reply = render_reply(replies)
        await self._choices.offer(user, reply.choices)
        await client.send(user, reply.content, markdown=reply.markdown)


def _query(request: Request) -> dict[str, str]:
    return {name: request.args.get(name, "") for name in request.args}


def _rejection(rejected: CallbackRejected) -> HTTPResponse:
    logger.warning("WeCom callback rejected (%s): %s", rejected.status, rejected.reason)
    return response.text("rejected", status=rejected.status)
