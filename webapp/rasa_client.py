"""Forwarding a rep's chat message to the Rasa REST channel."""

from __future__ import annotations

import requests

TIMEOUT_SECONDS = 30
# The REST channel answers these with a message for the rep in its usual reply format: the
# text was too long (413), or the turn could not happen and should be sent again (503).
ANSWERED_REFUSALS = (413, 503)


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer (down, restarting or too slow)."""


def send(rasa_url: str, sender: str, message: str) -> list[dict]:
    """The bot's replies to `message` from `sender`: dicts with text and maybe buttons."""
    try:
        response = requests.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=TIMEOUT_SECONDS,
        )
        if response.status_code not in ANSWERED_REFUSALS:
            response.raise_for_status()
        replies = response.json()
    except (requests.RequestException, ValueError) as error:
        raise RasaUnavailable(str(error)) from error
    if not isinstance(replies, list):
        raise RasaUnavailable(f"unexpected reply: {replies!r:.200}")
    return [
        {
            "text": reply.get("text", ""),
            "buttons": [
                {"title": button.get("title", ""), "payload": button.get("payload", "")}
                for button in reply.get("buttons", [])
            ],
        }
        for reply in replies
        if isinstance(reply, dict) and (reply.get("text") or reply.get("buttons"))
    ]
