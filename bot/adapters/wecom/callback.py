"""Checks every callback in the order that keeps forged or replayed ones from doing any work:
freshness, signature, decryption (which checks the corp id), then the message XML.

A rejection carries the HTTP status for WeCom (403 when the sender cannot be trusted, 400 when
the body cannot be read) and a reason for our log that never contains message contents.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.adapters.wecom.crypto import DecryptError, decrypt, signature_matches
from bot.adapters.wecom.messages import InboundMessage, MalformedXml, parse_envelope, parse_message
from bot.adapters.wecom.settings import WeComSettings


class CallbackRejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_url(settings: WeComSettings, query: Mapping[str, str], now: float) -> str:
    """The plaintext WeCom expects back when the admin saves the callback URL."""
    signature, timestamp, nonce = _signed_query(settings, query, now)
    # WeCom URL-encodes echostr, but a "+" that arrives raw is read as a space; base64 never
    # contains spaces, so this only restores what the query parser changed.
    echostr = query.get("echostr", "").replace(" ", "+")
    if not echostr:
        raise CallbackRejected(400, "echostr missing")
    if not signature_matches(settings.token, timestamp, nonce, echostr, signature):
        raise CallbackRejected(403, "wrong signature")
    return _decrypt(settings, echostr)


def open_message(
    settings: WeComSettings, query: Mapping[str, str], body: bytes, now: float
) -> InboundMessage:
    signature, timestamp, nonce = _signed_query(settings, query, now)
    try:
        envelope = parse_envelope(body)
    except MalformedXml as error:
        raise CallbackRejected(400, f"envelope: {error}") from None
    if not signature_matches(settings.token, timestamp, nonce, envelope.encrypt, signature):
        raise CallbackRejected(403, "wrong signature")
    try:
        return parse_message(_decrypt(settings, envelope.encrypt))
    except MalformedXml as error:
        raise CallbackRejected(400, f"message: {error}") from None


def _signed_query(
    settings: WeComSettings, query: Mapping[str, str], now: float
) -> tuple[str, str, str]:
    signature, timestamp, nonce = (
        query.get(name, "") for name in ("msg_signature", "timestamp", "nonce")
    )
    if not (signature and timestamp and nonce):
        raise CallbackRejected(400, "msg_signature, timestamp or nonce missing")
    if not timestamp.isdigit():
        raise CallbackRejected(400, "timestamp is not a number")
    skew = settings.max_skew_seconds
    if skew and abs(now - int(timestamp)) > skew:
        raise CallbackRejected(403, f"timestamp more than {skew}s from our clock")
    return signature, timestamp, nonce


def _decrypt(settings: WeComSettings, encrypted: str) -> str:
    try:
        return decrypt(settings.aes_key, settings.corp_id, encrypted)
    except DecryptError as error:
        raise CallbackRejected(400, f"decrypt: {error}") from None
