"""The memory of seen callbacks: retries within its time are caught, and it stays bounded."""

from __future__ import annotations

from bot.adapters.wecom.inbox import SeenIds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_key_is_seen_once_until_it_expires() -> None:
    clock = Clock()
    seen = SeenIds(ttl_seconds=60, clock=clock)
    assert seen.first_time("msg:1")
    clock.now += 59
    assert not seen.first_time("msg:1")
    clock.now += 2
    assert seen.first_time("msg:1")


def test_the_oldest_keys_are_forgotten_beyond_the_limit() -> None:
    seen = SeenIds(ttl_seconds=60, max_entries=3, clock=Clock())
    for key in ("a", "b", "c", "d"):
        assert seen.first_time(key)
    assert seen.first_time("a")  # forgotten to make room
    assert not seen.first_time("d")
