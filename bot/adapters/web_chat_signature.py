"""The signature the web app puts on each chat message it forwards to Rasa's web channel.

Only the web app knows who is signed in, so only the web app may say "this line is from user
4". It signs `<unix time>.<body>` with HMAC-SHA256 under WEB_CHAT_SECRET, a secret it shares
with the Rasa server; the channel refuses a body whose signature does not match or whose time
is more than five minutes off, so a request seen once cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SECRET_VARIABLE = "WEB_CHAT_SECRET"
TIMESTAMP_HEADER = "X-Salescoach-Timestamp"
SIGNATURE_HEADER = "X-Salescoach-Signature"
MAX_SKEW_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, now: float | None = None) -> dict[str, str]:
    """The headers that make `body` acceptable to the web channel."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verified(
    secret: str, timestamp: str | None, given: str | None, body: bytes, now: float | None = None
) -> bool:
    """Whether the headers sign `body` under `secret`, recently."""
    if not secret or not timestamp or not given or not timestamp.isdigit():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)
