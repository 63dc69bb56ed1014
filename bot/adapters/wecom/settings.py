"""WeCom app settings, read from WECOM_* environment variables.

They come from the environment rather than credentials.yml so that secrets never sit in the
repository; every problem names the variable but never echoes its value.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
DEFAULT_MAX_SKEW_SECONDS = 300
REQUIRED = ("WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_AES_KEY")


class SettingsError(ValueError):
    """A WECOM_* variable is missing or unusable; the message names it, never its value."""


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    agent_id: int
    secret: str = field(repr=False)
    token: str = field(repr=False)
    aes_key: bytes = field(repr=False)  # the 32 raw bytes behind the 43-char EncodingAESKey
    api_base: str = DEFAULT_API_BASE
    max_skew_seconds: int = DEFAULT_MAX_SKEW_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> WeComSettings:
        missing = [name for name in REQUIRED if not environ.get(name, "").strip()]
        if missing:
            raise SettingsError(f"{', '.join(missing)} not set")
        api_base = environ.get("WECOM_API_BASE", "").strip() or DEFAULT_API_BASE
        if not api_base.startswith(("https://", "http://")):
            raise SettingsError("WECOM_API_BASE must start with https:// (or http://)")
        return cls(
            corp_id=environ["WECOM_CORP_ID"].strip(),
            agent_id=_integer(environ, "WECOM_AGENT_ID", minimum=1),
            secret=environ["WECOM_SECRET"].strip(),
            token=environ["WECOM_TOKEN"].strip(),
            aes_key=decode_aes_key(environ["WECOM_AES_KEY"].strip()),
            api_base=api_base.rstrip("/"),
            max_skew_seconds=_integer(
                environ, "WECOM_MAX_SKEW_SECONDS", minimum=0, default=DEFAULT_MAX_SKEW_SECONDS
            ),
        )


def decode_aes_key(encoding_aes_key: str) -> bytes:
    """The admin console shows the AES key as 43 base64 characters without the final "="."""
    if len(encoding_aes_key) != 43:
        raise SettingsError(
            f"WECOM_AES_KEY must be the 43-character EncodingAESKey "
            f"(got {len(encoding_aes_key)} characters)"
        )
    try:
        return base64.b64decode(encoding_aes_key + "=", validate=True)  # always 32 bytes
    except binascii.Error:
        raise SettingsError("WECOM_AES_KEY is not valid base64") from None


def _integer(
    environ: Mapping[str, str], name: str, *, minimum: int, default: int | None = None
) -> int:
    raw = environ.get(name, "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}")
    return value
