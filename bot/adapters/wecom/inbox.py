"""What keeps callbacks from being handled twice or out of order.

WeCom retries a callback it has no answer to within 5 seconds, and a retry can arrive while
the first delivery is still with the bot, so the de-duplication happens before any work
starts. Each member's messages then go through their own queue, one at a time, so a rep who
types quickly still gets the replies in the order they wrote (in this process; replicas
share the queue in Redis, `bot.adapters.wecom.shared`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")

SEEN_TTL_SECONDS = 600.0  # WeCom retries three times within about 15 seconds
SEEN_MAX_ENTRIES = 20_000


class SeenIds:
    """A bounded memory of recently seen keys that forgets them after a while."""

    def __init__(
        self,
        ttl_seconds: float = SEEN_TTL_SECONDS,
        max_entries: int = SEEN_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._expiry: OrderedDict[str, float] = OrderedDict()  # oldest first

    def first_time(self, key: str) -> bool:
        """True the first time a key is seen within the TTL, and remembers it."""
        now = self._clock()
        while self._expiry and next(iter(self._expiry.values())) <= now:
            self._expiry.popitem(last=False)
        if key in self._expiry:
            return False
        self._expiry[key] = now + self._ttl
        if len(self._expiry) > self._max:
            self._expiry.popitem(last=False)
        return True


class UserLanes(Generic[Item]):
    """One queue per user, drained by one task, which ends (and is forgotten) when idle.

    `submit` queues before it awaits anything, so the order of submissions is the order of
    handling (the same interface as `bot.adapters.wecom.shared.SharedLanes`); tasks run
    on the caller's running loop and are held in a set until they finish, because the event
    loop keeps only weak references to tasks.
    """

    def __init__(self, handle: Callable[[Item], Awaitable[None]]) -> None:
        self._handle = handle
        self._queues: dict[str, deque[Item]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, user: str, item: Item) -> None:
        queue = self._queues.get(user)
        if queue is not None:
            queue.append(item)
            return
        self._queues[user] = deque([item])
        task = asyncio.get_running_loop().create_task(self._drain(user))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Let work in progress finish, e.g. before the server stops."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drain(self, user: str) -> None:
        queue = self._queues[user]
        try:
            while queue:
                try:
                    await self._handle(queue[0])
                except Exception:
                    logger.exception("WeCom message handling failed for user %s", user)
                queue.popleft()
        finally:
            # No await between the last check of the queue and this line, so nothing can be
            # submitted to a queue that is about to be forgotten.
            del self._queues[user]
