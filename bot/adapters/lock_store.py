"""Rasa's lock store on the project's Redis ticket locks (`bot.adapters.ticket_locks`), so
replicas of the Rasa server behind one balancer never work on one conversation at once and
take its messages in the order they arrived.

Rasa takes this lock around every message and every conversation-changing API call; with
its own `RedisLockStore` two replicas can both be served at once (see ticket_locks). A
replica killed while it holds a conversation blocks it for `ticket_seconds` (default 10),
not for Rasa's 60-second lock lifetime.

endpoints.yml (deploy/cluster/endpoints.yml):

    lock_store:
      type: bot.adapters.lock_store.TicketLockStore
      url: ${REDIS_URL}        # redis://host:6379/0
      ticket_seconds: 10
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.adapters.ticket_locks import DEFAULT_TICKET_SECONDS, TicketExpired, TicketLocks, connect

KEY_PREFIX = "salescoach:conversation"


class TicketLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        if not endpoint_config.url:
            raise ValueError("lock_store: url (redis://host:port/db) is required")
        seconds = float(endpoint_config.kwargs.get("ticket_seconds", DEFAULT_TICKET_SECONDS))
        self.locks = TicketLocks(connect(endpoint_config.url), KEY_PREFIX, seconds)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's interface; its lifetime and polling interval are replaced by the ticket
        lifetime and a short poll that backs off (the lock is taken on every message)."""
        try:
            async with self.locks.holding(conversation_id):
                yield TicketLock(conversation_id)  # Rasa's callers only wait for it
        except TicketExpired as expired:
            raise LockError(str(expired)) from expired
