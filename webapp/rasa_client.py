"""Forwarding a rep's chat message to the Rasa server's web channel (channels/web.py), signed
so that the channel knows the web app vouches for the user."""

from __future__ import annotations

import json

import requests

from bot.adapters.web_chat_signature import signed_headers

TIMEOUT_SECONDS = 30
# The channel answers these with a message for the rep in its usual reply format: the text
# was too long (413), or the turn could not happen and should be sent again (503).
ANSWERED_REFUSALS = (413, 503)


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer (down, restarting, too slow or refusing the signature)."""


def send(rasa_url: str, secret: str, user_id: int, message: str) -> list[dict]:
    """The bot's replies to `message` from web user `user_id`: dicts with text and maybe
    buttons."""
    body = json.dumps({"user": user_id, "message": message}, ensure_ascii=False).encode()
    try:
        response = requests.post(
            f"{rasa_url}/webhooks/web/webhook",
            data=body,
            headers={"Content-Type": "application/json"} | signed_headers(secret, body),
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
