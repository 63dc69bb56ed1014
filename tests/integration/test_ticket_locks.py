"""The Redis ticket locks on a real Redis server (TEST_REDIS_URL, default the local one):
holders of one name never overlap, are served in the order they drew, and a ticket whose
process died stops blocking the others once it expires. Each "process" is a client of its
own, as two Rasa replicas are."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
import redis

from bot.adapters.ticket_locks import TicketExpired, TicketLocks, connect

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="module", autouse=True)
def redis_server() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL): {error}")


def _locks(prefix: str, ticket_seconds: float = 10.0) -> TicketLocks:
    return TicketLocks(connect(REDIS_URL), prefix, ticket_seconds)


def test_holders_on_separate_clients_never_overlap_and_are_served_in_ticket_order() -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def run() -> tuple[list[int], int]:
        clients = [_locks(prefix) for _ in range(4)]
        served: list[int] = []
        inside = 0
        overlaps = 0

        async def turn(locks: TicketLocks, ticket: int) -> None:
            nonlocal inside, overlaps
            async with locks.holding("conversation", ticket):
                inside += 1
                overlaps += inside > 1
                served.append(ticket)
                await asyncio.sleep(0.002)
                inside -= 1

        tickets = [await clients[n % 4].draw("conversation") for n in range(40)]
        await asyncio.gather(
            *(turn(clients[n % 4], ticket) for n, ticket in reversed(list(enumerate(tickets))))
        )
        return served, overlaps

    served, overlaps = asyncio.run(run())
    assert overlaps == 0
    assert served == sorted(served) and len(served) == 40


def test_a_ticket_whose_process_died_stops_blocking_after_its_lifetime() -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def run() -> bool:
        dead, alive = _locks(prefix, ticket_seconds=0.5), _locks(prefix, ticket_seconds=0.5)
        await dead.draw("member")  # drawn, then its process is gone: never renewed

        async def enter() -> bool:
            async with alive.holding("member"):
                return True

        return await asyncio.wait_for(enter(), timeout=30)  # only against a hang

    assert asyncio.run(run())


def test_a_waiter_whose_own_ticket_expired_is_told_so() -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def run() -> None:
        locks = _locks(prefix, ticket_seconds=0.2)
        await locks.draw("name")
        second = await locks.draw("name")
        await asyncio.sleep(0.5)  # neither renewed: both expired
        await locks.wait_turn("name", second)

    with pytest.raises(TicketExpired):
        asyncio.run(run())
