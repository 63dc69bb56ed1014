"""The consumer of Rasa's event broker: every rep message and bot reply that the replicas
stored lands in `conversation_log`, one row each.

Why this consumer: trainers ask for figures across all reps (lines per rep and day, which
moves they use, how the bot answered) and Rasa's `events` rows are its own JSON, read back
in full on every query. The broker hands each stored event over once the turn is written
(`bot.adapters.tracker_store` publishes after the commit), so the log is filled off the
turn's path: a slow or stopped consumer never slows a rep down, and RabbitMQ keeps what it
has not taken yet. A message is acknowledged only once its row is committed; one delivered
again (the consumer died before its acknowledgement) hits the row's unique key and is
dropped, so each event is logged exactly once.

    python -m bot.adapters.event_log
    # RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_USER, RABBITMQ_PASSWORD (what endpoints.yml gives
    # Rasa's broker), EVENT_QUEUE (default salescoach_events), DATABASE_URL
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from datetime import UTC, datetime
from typing import Any

import aio_pika
from sqlalchemy.exc import IntegrityError
from yarl import URL

from bot.adapters.storage.database import Database, open_database
from bot.adapters.storage.schema import conversation_log

logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "salescoach_events"
LOGGED_KINDS = frozenset({"user", "bot"})
PREFETCH = 64


def row_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """The log row of one broker message, or None for events the log does not keep."""
    kind = event.get("event")
    sender, stamp = event.get("sender_id"), event.get("timestamp")
    if kind not in LOGGED_KINDS or not isinstance(sender, str) or stamp is None:
        return None
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return {
        "conversation_id": sender,
        "kind": kind,
        "stamp": float(stamp),
        "text": event.get("text"),
        "intent": intent,
        "logged_at": datetime.now(UTC),
    }


def log_event(database: Database, body: bytes) -> bool:
    """Store one broker message; False when it was already stored or is not kept."""
    try:
        row = row_of(json.loads(body))
    except (ValueError, AttributeError, TypeError):
        logger.warning("event broker message that is not an event object ignored")
        return False
    if row is None:
        return False
    try:
        with database.transaction() as connection:
            connection.execute(conversation_log.insert().values(**row))
    except IntegrityError:
        return False
    return True


async def consume(url: str, queue_name: str, database: Database, stop: asyncio.Event) -> None:
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.declare_queue(queue_name, durable=True)  # as Rasa declares it

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await asyncio.to_thread(log_event, database, message.body)
            await message.ack()  # after the commit: an event is never acknowledged unlogged

        tag = await queue.consume(on_message)
        logger.info("logging conversation events from queue %s", queue_name)
        await stop.wait()
        await queue.cancel(tag)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    missing = [
        name
        for name in ("RABBITMQ_HOST", "RABBITMQ_USER", "RABBITMQ_PASSWORD")
        if not os.environ.get(name)
    ]
    if missing:
        raise SystemExit(f"{', '.join(missing)} not set (the broker's settings, docs/cluster.md)")
    url = str(
        URL.build(
            scheme="amqp",
            host=os.environ["RABBITMQ_HOST"],
            port=int(os.environ.get("RABBITMQ_PORT", "5672")),
            user=os.environ["RABBITMQ_USER"],
            password=os.environ["RABBITMQ_PASSWORD"],
            path="/",
        )
    )
    database = open_database()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await consume(url, os.environ.get("EVENT_QUEUE", DEFAULT_QUEUE), database, stop)

    try:
        asyncio.run(run())
    finally:
        database.close()


if __name__ == "__main__":
    main()
