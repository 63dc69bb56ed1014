"""What the WeCom channel remembers between callbacks, in one process or shared by all.

One Rasa process keeps it in memory (`LocalMemory`, `UserLanes`). Replicas behind a balancer
share it in Redis when REDIS_URL is set (`RedisMemory`, `SharedLanes`): a member's next
message may reach another replica, which must know the numbered options he was offered,
reuse the access token the others hold (WeCom limits how often one is fetched) and wait for
the member's previous message to be answered first. De-duplication of callbacks is not
here: it is the database inbox (`bot.adapters.storage.inbox`), for one process or many.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from redis.asyncio import Redis

from bot.adapters.ticket_locks import TicketLocks

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Taken = TypeVar("Taken", contravariant=True)
LANE_PREFIX = "salescoach:wecom:lane"


class SharedMemory(Protocol):
    """Short-lived strings by key; every operation is atomic for all its users."""

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, seconds: float) -> None: ...

    async def put_if_absent(self, key: str, value: str, seconds: float) -> bool: ...

    async def take(self, key: str) -> str | None:
        """The value, removed in the same step (so two readers never both get it)."""

    async def delete_if(self, key: str, value: str) -> None:
        """Remove the key only while it still holds `value`."""


class LocalMemory:
    """SharedMemory for one process: a dict with expiry times."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._values: dict[str, tuple[str, float]] = {}

    async def get(self, key: str) -> str | None:
        held = self._values.get(key)
        if held is None:
            return None
        if held[1] <= self._clock():
            del self._values[key]
            return None
        return held[0]

    async def put(self, key: str, value: str, seconds: float) -> None:
        self._values[key] = (value, self._clock() + seconds)

    async def put_if_absent(self, key: str, value: str, seconds: float) -> bool:
        if await self.get(key) is not None:
            return False
        await self.put(key, value, seconds)
        return True

    async def take(self, key: str) -> str | None:
        value = await self.get(key)
        self._values.pop(key, None)
        return value

    async def delete_if(self, key: str, value: str) -> None:
        if await self.get(key) == value:
            del self._values[key]


_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisMemory:
    """SharedMemory on Redis, for every replica at once."""

    def __init__(self, redis: Redis, prefix: str = "salescoach:wecom:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._delete_if = redis.register_script(_DELETE_IF)

    async def get(self, key: str) -> str | None:
        return _text(await self._redis.get(self._prefix + key))

    async def put(self, key: str, value: str, seconds: float) -> None:
        await self._redis.set(self._prefix + key, value, px=max(int(seconds * 1000), 1))

    async def put_if_absent(self, key: str, value: str, seconds: float) -> bool:
        milliseconds = max(int(seconds * 1000), 1)
        return bool(await self._redis.set(self._prefix + key, value, px=milliseconds, nx=True))

    async def take(self, key: str) -> str | None:
        return _text(await self._redis.getdel(self._prefix + key))

    async def delete_if(self, key: str, value: str) -> None:
        await self._delete_if(keys=[self._prefix + key], args=[value])


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class Lanes(Protocol[Taken]):
    async def submit(self, user: str, item: Taken) -> None:
        """Queue `item` behind the user's earlier items; returns before it is handled."""

    async def wait_idle(self) -> None:
        """Let work in progress finish, e.g. before the server stops."""


class SharedLanes(Generic[Item]):
    """One queue per member across all replicas: `submit` draws the member's next ticket
    before the callback is acknowledged, and each item is handled once its ticket heads the
    queue, so a member's messages are answered in the order they arrived, whichever replica
    each reached. A replica that dies holding a ticket holds up that member only until the
    ticket expires (`bot.adapters.ticket_locks`)."""

    def __init__(self, locks: TicketLocks, handle: Callable[[Item], Awaitable[None]]) -> None:
        self._locks = locks
        self._handle = handle
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, user: str, item: Item) -> None:
        ticket = await self._locks.draw(user)
        task = asyncio.get_running_loop().create_task(self._serve(user, ticket, item))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, user: str, ticket: int, item: Item) -> None:
        try:
            async with self._locks.holding(user, ticket):
                await self._handle(item)
        except Exception:
            logger.exception("WeCom message handling failed for user %s", user)
