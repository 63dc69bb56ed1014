"""The two locks between our own processes: the web app's signature on chat messages and
the token Rasa shows the action server."""

from __future__ import annotations

import pytest

from actions.server import authorised, build_app
from bot.adapters.web_chat_signature import (
    MAX_SKEW_SECONDS,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signed_headers,
    verified,
)

BODY = '{"user": 4, "message": "陈总您好"}'.encode()
NOW = 1_800_000_000.0


def _check(headers: dict[str, str], body: bytes = BODY, secret: str = "s3cret", now: float = NOW):
    return verified(secret, headers.get(TIMESTAMP_HEADER), headers.get(SIGNATURE_HEADER), body, now)


def test_a_message_signed_by_the_web_app_is_accepted() -> None:
    assert _check(signed_headers("s3cret", BODY, now=NOW))


@pytest.mark.parametrize(
    "change",
    [
        "another body",  # the user or the text changed on the way
        "another secret",
        "too old",  # replayed after the window
        "from the future",
        "no headers",
        "no secret configured",
    ],
)
def test_anything_else_is_refused(change: str) -> None:
    headers = signed_headers("s3cret", BODY, now=NOW)
    body, secret, now = BODY, "s3cret", NOW
    if change == "another body":
        body = BODY.replace(b"4", b"5")
    elif change == "another secret":
        headers = signed_headers("guessed", BODY, now=NOW)
    elif change == "too old":
        now = NOW + MAX_SKEW_SECONDS + 1
    elif change == "from the future":
        now = NOW - MAX_SKEW_SECONDS - 1
    elif change == "no headers":
        headers = {}
    else:
        secret = ""
    assert not _check(headers, body, secret, now)


def test_the_action_server_wants_the_bearer_token_itself() -> None:
    assert authorised("Bearer tok-123", "tok-123")
    assert authorised("bearer tok-123", "tok-123")
    for header in (None, "", "tok-123", "Bearer tok-12", "Basic tok-123", "Bearer  tok-123"):
        assert not authorised(header, "tok-123")


def test_the_action_server_will_not_start_without_a_token() -> None:
    with pytest.raises(ValueError):
        build_app("")
