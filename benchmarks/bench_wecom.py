"""Benchmark the WeCom channel: how fast callbacks are acknowledged under a burst, and how
long until the reply reaches WeCom's API.

A Sanic server with the channel (mounted by Rasa's `register`, with an echoing coroutine in
place of Rasa's agent, so the figures are the channel's own overhead) and a fake WeCom API
run on loopback. A warm-up callback fetches the access token; then N signed, encrypted
callbacks from U members are posted at once by a separate client process (as WeCom's
servers are elsewhere), so the client's own work does not run on the server's event loop.
Prints acknowledgement p50/p95/max, end-to-end p50/p95 (post sent → reply received by the
fake API), and URL verification times. Nothing here asserts a target.

    .venv/bin/python -m benchmarks.bench_wecom [--callbacks 200] [--users 50] [--backlog 100]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import time

import aiohttp
from rasa.core.channels.channel import UserMessage

from bot.adapters.wecom.settings import WeComSettings, decode_aes_key
from channels.wecom import WeComInput
from harness.fakes import wecom_callbacks as wecom
from harness.fakes.rasa_stand_in import serving
from harness.fakes.wecom_api import CORP_ID, SECRET, FakeWeComApi

WEBHOOK = "/webhooks/wecom/webhook"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, f"收到:{message.text}")


async def post(
    http: aiohttp.ClientSession, url: str, callback: wecom.Callback
) -> tuple[float, float, int]:
    """(sent at, acknowledged at, status)"""
    sent = time.perf_counter()
    async with http.post(url, params=callback.query, data=callback.body) as answer:
        await answer.read()
        return sent, time.perf_counter(), answer.status


async def wait_for_delivered(api: FakeWeComApi, count: int) -> None:
    await asyncio.to_thread(api.wait_for_delivered, count, 120.0)


async def run(api: FakeWeComApi, callbacks: int, users: int, backlog: int) -> None:
    settings = WeComSettings(
        corp_id=CORP_ID,
        agent_id=wecom.AGENT_ID,
        secret=SECRET,
        token=wecom.TOKEN,
        aes_key=decode_aes_key(wecom.AES_KEY_43),
        api_base=api.url,
    )
    # Encrypting happens before the clock starts: WeCom does that part, not us.
    burst = [
        wecom.callback(wecom.text_xml(f"rep{i % users:03d}", f"消息{i}", str(10_000 + i)))
        for i in range(callbacks)
    ]
    echostr = wecom.encrypt("1616140317555161061")
    connector = aiohttp.TCPConnector(limit=0)
    async with (
        serving(WeComInput(settings), echo, backlog) as base,
        aiohttp.ClientSession(connector=connector) as http,
    ):
        url = base + WEBHOOK
        verify_times = []
        for _ in range(20):
            stamp, nonce = str(int(time.time())), "1597212914"
            query = {"msg_signature": wecom.sign(stamp, nonce, echostr), "timestamp": stamp}
            started = time.perf_counter()
            async with http.get(url, params=query | {"nonce": nonce, "echostr": echostr}) as a:
                await a.read()
            verify_times.append(time.perf_counter() - started)

        warm_up = wecom.callback(wecom.text_xml("warmup", "预热", "1"))
        sent, _, _ = await post(http, url, warm_up)
        await wait_for_delivered(api, 1)
        first_reply = api.send_attempts[0].arrived_at - sent

        results = await asyncio.to_thread(_burst_from_another_process, url, burst)
        await wait_for_delivered(api, callbacks + 1)

    arrived = {
        a.body["text"]["content"].removeprefix("收到:"): a.arrived_at
        for a in api.send_attempts
        if a.errcode == 0
    }
    acks = [acked - sent for sent, acked, _ in results]
    ends = [arrived[f"消息{i}"] - sent for i, (sent, _, _) in enumerate(results)]
    statuses = sorted({status for _, _, status in results})
    wall = max(arrived.values()) - min(sent for sent, _, _ in results)
    print(f"WeCom channel: {callbacks} callbacks from {users} members at once")
    print(f"  CPUs {os.cpu_count()}, listen backlog {backlog}, HTTP statuses {statuses}")
    print(f"  acknowledgement p50/p95/max  {ms(percentile(acks, 0.5))} {ms(percentile(acks, 0.95))}"
          f" {ms(max(acks))}")  # fmt: skip
    print(
        f"  reply at WeCom API p50/p95   {ms(percentile(ends, 0.5))} {ms(percentile(ends, 0.95))}"
    )
    print(f"  whole burst                  {ms(wall)}")
    print(f"  first reply (incl. token)    {ms(first_reply)}")
    print(f"  URL verification p50/max     {ms(statistics.median(verify_times))}"
          f" {ms(max(verify_times))}")  # fmt: skip
    print(
        f"  gettoken calls {len(api.token_requests)}, message/send calls {len(api.send_attempts)}"
    )


def _burst_from_another_process(
    url: str, burst: list[wecom.Callback]
) -> list[tuple[float, float, int]]:
    """Post the burst from a fresh interpreter; perf_counter is the system's monotonic clock,
    so its send times compare with the arrival times the fake API records here."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_client_burst, (url, burst))


def _client_burst(url: str, burst: list[wecom.Callback]) -> list[tuple[float, float, int]]:
    async def send_all() -> list[tuple[float, float, int]]:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            return list(await asyncio.gather(*(post(http, url, one) for one in burst)))

    return asyncio.run(send_all())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callbacks", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--backlog",
        type=int,
        default=int(os.environ.get("SANIC_BACKLOG", "100")),
        help="listen backlog; rasa run reads SANIC_BACKLOG, default 100",
    )
    args = parser.parse_args()
    with FakeWeComApi() as api:
        asyncio.run(run(api, args.callbacks, args.users, args.backlog))


if __name__ == "__main__":
    main()
