"""A client for a running Rasa server (with its action server), as the tests talk to it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import requests

from harness.rasa_processes import Servers

# The REST channel answers these with a message for the rep in its usual reply format.
ANSWERED_STATUSES = (200, 413, 503)


@dataclass(frozen=True)
class RasaServer:
    """A running Rasa server with its action server, reached over real HTTP."""

    url: str
    api_token: str  # Rasa's HTTP API answers only with it
    log: Path | None = None  # the Rasa server's log

    @classmethod
    def of(cls, servers: Servers) -> RasaServer:
        return cls(servers.url, servers.secrets.api_token, servers.logs["rasa"])

    def api(self, path: str) -> str:
        """The URL of a Rasa HTTP API path, with the token."""
        return f"{self.url}{path}?token={self.api_token}"

    def parse(self, text: str) -> dict:
        response = requests.post(self.api("/model/parse"), json={"text": text}, timeout=60)
        response.raise_for_status()
        return response.json()

    def say(self, sender: str, text: str) -> list[dict]:
        """The bot's replies: also the "too long" (413) and "please resend" (503) answers."""
        response = self.post(sender, text)
        if response.status_code not in ANSWERED_STATUSES:
            response.raise_for_status()
        return response.json()

    def post(self, sender: str, text: str) -> requests.Response:
        return requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
