"""Handing a rep's message to the bot so that a turn either happens whole or is reported as
failed, on every channel.

Rasa's defaults lose lines silently in two ways, both fixed here:

- Its tracker store wrapper treats a store it cannot read as an empty conversation: the turn
  runs against a blank tracker (the rep is back with the coach mid-visit) and the blank is
  saved over the stored one. `fail_loudly` makes such an error abort the turn instead.
- When the action server cannot be reached, Rasa logs the error and answers nothing; the
  channel used to return 200 with no reply. Every action of ours answers something, so no
  reply at all means the turn did not happen, and `ask_bot` says so (None).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters.action_calls import check_action_responses_with_a_compiled_schema
from bot.adapters.tracker_store import DatabaseTrackerStore
from bot.language.inbound import RESEND_REPLY, inbound

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
RETRY_AFTER_SECONDS = "2"
MAX_JSON_BODY_BYTES = 64 * 1024  # a REST or web chat message body; the text limit is far lower


class ConversationUnavailable(RuntimeError):
    """The tracker store could not read or save the conversation."""


# A rep's line and a command, parsed and answered once at start-up by `warm_up`.
WARM_UP_LINES = ("您好,我想先了解一下贵公司现在的情况。", "开始对练")
WARM_UP_SENDER = "salescoach-warm-up"  # never written: only read, and predicted in memory


async def warm_up(app: Sanic) -> None:
    """Run once what a first turn would otherwise load on first use: the NLU pipeline (about
    80 ms the first time), the tracker store's connection, queries and first save (about 40
    and 20 ms; the save rolled back) and the
    dialogue policy, on a conversation kept in memory only, so the first rep after a start
    is answered like every later one; and check action responses with a schema compiled
    once (bot/adapters/action_calls.py)."""
    check_action_responses_with_a_compiled_schema()
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return
    await agent.tracker_store.retrieve(WARM_UP_SENDER)
    store = agent.tracker_store
    while not isinstance(store, DatabaseTrackerStore) and hasattr(store, "_tracker_store"):
        store = store._tracker_store  # inside Rasa's fail-safe and awaitable wrappers
    if isinstance(store, DatabaseTrackerStore):
        store.rehearse(WARM_UP_SENDER)
    for text in WARM_UP_LINES:
        parsed = await agent.parse_message(text)
        said = UserUttered(text, parsed["intent"], parsed["entities"])
        tracker = DialogueStateTracker.from_events(
            WARM_UP_SENDER, [ActionExecuted("action_listen"), said], agent.domain.slots
        )
        agent.processor.predict_next_with_tracker(tracker)
    logger.info("warmed up: NLU, tracker store and dialogue policy")


def _raise(error: Exception) -> None:
    raise ConversationUnavailable(str(error)) from error


def fail_loudly(request: Request) -> None:
    """Make the agent's tracker store raise instead of falling back to an empty in-memory
    conversation. Checked on each request, as a model loaded over the API brings a new agent."""
    agent = getattr(request.app.ctx, "agent", None)
    store = getattr(agent, "tracker_store", None)
    if isinstance(store, FailSafeTrackerStore) and store._on_tracker_store_error is not _raise:
        store._on_tracker_store_error = _raise


async def ask_bot(
    on_new_message: OnNewMessage,
    text: str,
    sender: str,
    channel: str,
    message_id: str | None = None,
    metadata: dict | None = None,
) -> list[dict[str, Any]] | None:
    """The bot's replies to one message, or None when the turn failed (the tracker store or
    the action server was unreachable): the caller then asks the rep to send it again."""
    collector = CollectingOutputChannel()
    message = UserMessage(
        text, collector, sender, input_channel=channel, message_id=message_id, metadata=metadata
    )
    try:
        await on_new_message(message)
    except Exception:
        logger.exception("The turn of %s on %s failed; the rep is asked to resend", sender, channel)
        return None
    if not collector.messages:
        logger.error(
            "The bot gave no answer to %s on %s (is the action server up?); the rep is asked "
            "to resend",
            sender,
            channel,
        )
        return None
    return collector.messages


async def answer_in_json(
    request: Request,
    on_new_message: OnNewMessage,
    text: str,
    sender: str,
    channel: str,
    metadata: dict | None = None,
) -> HTTPResponse:
    """The bot's replies as the REST channel's JSON list. A text over the shared limit gets
    413 and a failed turn 503 with `Retry-After`, each with a Chinese message in the same
    list format, so a program sees the status and a person sees the text."""
    prepared = inbound(text)
    if prepared.refusal:
        return json_replies(sender, prepared.refusal, status=413)
    fail_loudly(request)
    replies = await ask_bot(on_new_message, prepared.text, sender, channel, metadata=metadata)
    if replies is None:
        return json_replies(
            sender, RESEND_REPLY, status=503, headers={"Retry-After": RETRY_AFTER_SECONDS}
        )
    return response.json(replies)


def json_replies(
    sender: str, text: str, status: int, headers: dict[str, str] | None = None
) -> HTTPResponse:
    """One bot message in the REST reply format, with a status for programs."""
    return response.json([{"recipient_id": sender, "text": text}], status=status, headers=headers)


def json_error(status: int, reason: str) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


def body_refused() -> HTTPResponse:
    """The answer to a JSON body that is empty or over MAX_JSON_BODY_BYTES."""
    return json_error(413, f"请求体为空或超过 {MAX_JSON_BODY_BYTES // 1024} KB。")


async def read_body(request: Request, max_bytes: int) -> bytes | None:
    """The body of a streamed request, or None if it is empty or larger than `max_bytes`; the
    size is checked on the declared length first and then on what actually arrives, so an
    oversized body is refused before it is read."""
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > max_bytes):
        _refuse_rest(request)
        return None
    chunks: list[bytes] = []
    size = 0
    stream = request.stream
    if stream is None:
        return None
    while (chunk := await stream.read()) is not None:
        size += len(chunk)
        if size > max_bytes:  # chunked: Sanic drains the rest, so the client hears the answer
            return None
        chunks.append(chunk)
    return b"".join(chunks) or None


def _refuse_rest(request: Request) -> None:
    """Sanic reads whatever a handler left of a body (up to 100 MB) to keep the connection
    open: megabytes read on the one event loop every rep shares. With its limit at zero it
    closes the connection after the answer instead (a client that declared the length has
    sent its headers and reads the answer)."""
    stream = request.stream
    if stream is not None and hasattr(stream, "request_max_size"):
        stream.request_max_size = 0
        stream.keep_alive = False  # "Connection: close", so the client opens a new one
