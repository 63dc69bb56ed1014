"""The numbered options last offered to each member, so a reply of "2" means the second
button. An offer is good for the very next message only: after that a digit is just a digit
(for example an answer to the customer in a role-play). An offer never answered is
forgotten after OFFER_SECONDS: a "2" typed the next morning is not a choice from last night.

Offers live in the channel's shared memory, so the next message may reach another replica.
"""

from __future__ import annotations

import json
import unicodedata

from bot.adapters.wecom.shared import SharedMemory

OFFER_SECONDS = 30 * 60


class OfferedChoices:
    def __init__(self, memory: SharedMemory, seconds: float = OFFER_SECONDS) -> None:
        self._memory = memory
        self._seconds = seconds

    async def offer(self, user: str, payloads: list[str]) -> None:
        if payloads:
            await self._memory.put(_key(user), json.dumps(payloads), self._seconds)

    async def resolve(self, user: str, text: str) -> str:
        """The payload of the chosen option, or the text unchanged; forgets the offer."""
        stored = await self._memory.take(_key(user))
        payloads = json.loads(stored) if stored else None
        choice = unicodedata.normalize("NFKC", text).strip().rstrip(".、")
        if payloads and choice.isdigit() and 1 <= int(choice) <= len(payloads):
            return str(payloads[int(choice) - 1])
        return text


def _key(user: str) -> str:
    return f"choices:{user}"
