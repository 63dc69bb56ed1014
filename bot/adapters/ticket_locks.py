"""First-come, first-served locks on Redis, shared by every process that reaches the server.

Rasa's `RedisLockStore` keeps a conversation's whole ticket list in one Redis value that each
process reads, changes and writes back: two replicas taking a ticket at the same moment can
both read the same list, draw the same number and overwrite each other, and then both think
they are being served (Rasa's PR #11256; the fix ships only in Rasa Pro). Here every step is
one Redis command or one Lua script, which Redis runs atomically:

- a ticket is drawn with INCR on the key's counter (never the same number twice) and queued
  in a sorted set scored by its number;
- each ticket has a liveness key with a short expiry that its holder, or the waiter, renews
  while it lives; a process killed with its ticket stops renewing, and the ticket is skipped
  once the key expires (`ticket_seconds`), instead of blocking the key for Rasa's 60 s;
- the head of the queue is the lowest ticket still alive; the script that answers "is it my
  turn?" drops dead tickets in front of it on the way.

So turns of one conversation are served in the order their tickets were drawn, one at a
time, whichever replica each arrived at. Used by the Rasa lock store
(`bot.adapters.lock_store`) and by the WeCom channel's per-member lanes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

from redis.asyncio import Redis

logger = logging.getLogger(__name__)

DEFAULT_TICKET_SECONDS = 10.0
FIRST_POLL_SECONDS = 0.005
LONGEST_POLL_SECONDS = 0.05
# Counter and queue outlive their last ticket by this many ticket lifetimes, then vanish.
IDLE_LIFETIMES = 10

# KEYS: counter, queue; ARGV: liveness key prefix, ticket milliseconds, idle milliseconds.
_DRAW = """
local ticket = redis.call('INCR', KEYS[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('SET', ARGV[1] .. ticket, '1', 'PX', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return ticket
"""

# KEYS: counter, queue; ARGV: liveness key prefix, ticket, ticket ms, idle ms.
# 1: served now; 0: wait; -1: the ticket expired (its holder stalled longer than its life).
_TURN = """
local mine = ARGV[1] .. ARGV[2]
if redis.call('PEXPIRE', mine, ARGV[3]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return -1
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if head == ARGV[2] then return 1 end
  if head == false or head == nil then return -1 end
  if redis.call('EXISTS', ARGV[1] .. head) == 1 then return 0 end
  redis.call('ZREM', KEYS[2], head)
end
"""

# KEYS: queue; ARGV: liveness key prefix, ticket.
_RELEASE = """
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('DEL', ARGV[1] .. ARGV[2])
return 1
"""

# KEYS: counter, queue; ARGV: liveness key, ticket ms, idle ms. 1 while the ticket lives.
_RENEW = """
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return redis.call('PEXPIRE', ARGV[1], ARGV[2])
"""


class TicketExpired(RuntimeError):
    """A ticket outlived its lifetime unrenewed (its process stalled): others went first."""


class TicketLocks:
    """Named first-come, first-served locks on one Redis server."""

    def __init__(
        self, redis: Redis, prefix: str, ticket_seconds: float = DEFAULT_TICKET_SECONDS
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ticket_ms = int(ticket_seconds * 1000)
        self._idle_ms = self._ticket_ms * IDLE_LIFETIMES
        self._renew_every = ticket_seconds / 3
        self._draw = redis.register_script(_DRAW)
        self._turn = redis.register_script(_TURN)
        self._release = redis.register_script(_RELEASE)
        self._renew = redis.register_script(_RENEW)

    def _keys(self, name: str) -> tuple[str, str, str]:
        base = f"{self._prefix}{{{name}}}"  # a hash tag: one slot per name on Redis Cluster
        return f"{base}:counter", f"{base}:queue", f"{base}:ticket:"

    async def draw(self, name: str) -> int:
        """A ticket in the queue of `name`, numbered after every ticket drawn before."""
        counter, queue, alive = self._keys(name)
        ticket = await self._draw(
            keys=[counter, queue], args=[alive, self._ticket_ms, self._idle_ms]
        )
        return int(ticket)

    async def wait_turn(self, name: str, ticket: int) -> None:
        """Return once `ticket` heads the queue of `name` (its holder is then being served)."""
        counter, queue, alive = self._keys(name)
        pause = FIRST_POLL_SECONDS
        while True:
            state = await self._turn(
                keys=[counter, queue], args=[alive, ticket, self._ticket_ms, self._idle_ms]
            )
            if state == 1:
                return
            if state == -1:
                raise TicketExpired(f"ticket {ticket} of {name} expired while waiting")
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, LONGEST_POLL_SECONDS)

    async def release(self, name: str, ticket: int) -> None:
        _counter, queue, alive = self._keys(name)
        await self._release(keys=[queue], args=[alive, ticket])

    @asynccontextmanager
    async def holding(self, name: str, ticket: int | None = None) -> AsyncIterator[int]:
        """Hold the lock of `name` for the block, with `ticket` if one was drawn earlier (to
        keep a place in the queue taken on arrival), else a fresh one; the ticket is renewed
        while waiting and while held, and given back however the block ends."""
        if ticket is None:
            ticket = await self.draw(name)
        renewing = asyncio.get_running_loop().create_task(self._keep_alive(name, ticket))
        try:
            await self.wait_turn(name, ticket)
            yield ticket
        finally:
            renewing.cancel()
            with suppress(asyncio.CancelledError):
                await renewing
            try:
                await self.release(name, ticket)
            except Exception:  # its liveness key expires on its own; never mask the turn's error
                logger.exception("could not release ticket %s of %s", ticket, name)

    async def _keep_alive(self, name: str, ticket: int) -> None:
        counter, queue, alive = self._keys(name)
        arguments: list[str | int] = [f"{alive}{ticket}", self._ticket_ms, self._idle_ms]
        while True:
            await asyncio.sleep(self._renew_every)
            try:
                if not await self._renew(keys=[counter, queue], args=arguments):
                    logger.error("ticket %s of %s expired while held", ticket, name)
                    return
            except Exception:
                logger.exception("could not renew ticket %s of %s", ticket, name)


def connect(url: str, **options: Any) -> Redis:
    """A client for `url` (redis://host:port/db); connections open on first use, on the
    event loop running then."""
    return Redis.from_url(url, **options)
