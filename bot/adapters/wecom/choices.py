"""The numbered options last offered to each member, so a reply of "2" means the second
button. An offer is good for the very next message only: after that a digit is just a digit
(for example an answer to the customer in a role-play)."""

from __future__ import annotations

import unicodedata


class OfferedChoices:
    def __init__(self) -> None:
        self._offers: dict[str, list[str]] = {}

    def offer(self, user: str, payloads: list[str]) -> None:
        if payloads:
            self._offers[user] = payloads

    def resolve(self, user: str, text: str) -> str:
        """The payload of the chosen option, or the text unchanged; forgets the offer."""
        payloads = self._offers.pop(user, None)
        choice = unicodedata.normalize("NFKC", text).strip().rstrip(".、")
        if payloads and choice.isdigit() and 1 <= int(choice) <= len(payloads):
            return payloads[int(choice) - 1]
        return text
