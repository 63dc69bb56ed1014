"""What the WeCom channel shares between replicas, on a real Redis server (TEST_REDIS_URL,
default the local one) and the fake WeCom API over real HTTP: each "replica" here is a
client of its own, as two Rasa processes are. The single-process memory gets the same
checks where it has the same duty."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from bot.adapters.ticket_locks import TicketLocks, connect
from bot.adapters.wecom import client as wecom_client
from bot.adapters.wecom.choices import OfferedChoices
from bot.adapters.wecom.client import WeComClient
from bot.adapters.wecom.shared import LocalMemory, RedisMemory, SharedLanes, SharedMemory
from harness.fakes.wecom_api import CORP_ID, SECRET, FakeWeComApi

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AGENT_ID = 1000002


@pytest.fixture(scope="module", autouse=True)
def redis_server() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL): {error}")


@pytest.fixture
def api() -> Iterator[FakeWeComApi]:
    with FakeWeComApi() as fake:
        yield fake


def _replica_memory(prefix: str) -> RedisMemory:
    return RedisMemory(connect(REDIS_URL), prefix)


def test_replicas_fetch_one_token_between_them_for_a_burst_of_sends(api: FakeWeComApi) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def burst() -> list[bool]:
        clients = [
            WeComClient(api.url, CORP_ID, SECRET, AGENT_ID, memory=_replica_memory(prefix))
            for _ in range(3)
        ]
        try:
            sends = [clients[n % 3].send(f"member{n}", f"第{n}条") for n in range(12)]
            return await asyncio.gather(*sends)
        finally:
            for client in clients:
                await client.close()

    assert asyncio.run(burst()) == [True] * 12
    assert len(api.token_requests) == 1
    assert len(api.delivered) == 12


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "one process"])
def test_a_45009_refusal_pauses_every_fetch_then_the_token_comes(
    api: FakeWeComApi, monkeypatch: pytest.MonkeyPatch, shared: bool
) -> None:
    monkeypatch.setattr(wecom_client, "FIRST_BACKOFF_SECONDS", 0.5)
    api.fail_next_token_requests(45009)
    prefix = f"test:{uuid.uuid4().hex}:"

    async def scenario() -> tuple[list[bool], int, bool]:
        memories: list[SharedMemory] = (
            [_replica_memory(prefix), _replica_memory(prefix)] if shared else [LocalMemory()] * 2
        )
        first, second = (
            WeComClient(api.url, CORP_ID, SECRET, AGENT_ID, memory=memory) for memory in memories
        )
        try:
            refused = [await first.send("zhangsan", "一"), await second.send("lisi", "二")]
            during = len(api.token_requests)
            await asyncio.sleep(0.7)  # the pause is over
            return refused, during, await second.send("lisi", "三")
        finally:
            await first.close()
            await second.close()

    refused, requests_during_pause, after = asyncio.run(scenario())
    assert refused == [False, False]
    assert requests_during_pause == 1  # the second replica did not ask while paused
    assert after is True
    assert [m["text"]["content"] for m in api.delivered] == ["三"]


def test_an_offer_made_at_one_replica_is_chosen_at_another_once() -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def scenario() -> list[str]:
        here, there = (
            OfferedChoices(_replica_memory(prefix)),
            OfferedChoices(_replica_memory(prefix)),
        )
        await here.offer("wangwu", ["/start_roleplay", "/start_quiz"])
        return [await there.resolve("wangwu", "2"), await here.resolve("wangwu", "2")]

    assert asyncio.run(scenario()) == ["/start_quiz", "2"]


@pytest.mark.parametrize("shared", [True, False], ids=["redis", "one process"])
def test_an_offer_never_answered_expires(shared: bool) -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def scenario() -> str:
        memory = _replica_memory(prefix) if shared else LocalMemory()
        choices = OfferedChoices(memory, seconds=0.2)
        await choices.offer("wangwu", ["/start_roleplay", "/start_quiz"])
        await asyncio.sleep(0.4)
        return await choices.resolve("wangwu", "1")

    assert asyncio.run(scenario()) == "1"


def test_a_members_messages_at_two_replicas_are_handled_in_arrival_order() -> None:
    prefix = f"test:{uuid.uuid4().hex}:"

    async def scenario() -> list[int]:
        handled: list[int] = []

        async def slow_then_fast(number: int) -> None:
            await asyncio.sleep(0.05 if number % 2 == 0 else 0.001)  # one replica is slower
            handled.append(number)

        replicas = [
            SharedLanes(TicketLocks(connect(REDIS_URL), prefix), slow_then_fast) for _ in range(2)
        ]
        for number in range(10):  # alternating replicas, as a balancer would
            await replicas[number % 2].submit("zhangsan", number)
        for replica in replicas:
            await replica.wait_idle()
        return handled

    assert asyncio.run(scenario()) == list(range(10))
