"""What every channel (REST, WeCom, the web chat) does with a rep's text before the bot sees
it, and what it tells him when a turn cannot be taken.

One limit for all channels: a live visit's line is a few sentences, and a megabyte of text
held the server's only event loop for seconds while every other rep waited. A longer text is
answered at once, before any parsing, and is not stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.text import clean

MAX_MESSAGE_CHARS = 500
RESEND_REPLY = "抱歉,这句话刚才没有处理成功,也没有记录 😥 请稍等几秒,把它再发一次。"


@dataclass(frozen=True)
class Inbound:
    text: str  # cleaned: what the bot may see
    refusal: str | None  # why it will not, told to the rep instead


def too_long_reply(length: int) -> str:
    return (
        f"这条消息有 {length} 个字,一次最多 {MAX_MESSAGE_CHARS} 个字。"
        "请分几句说,客户也更容易听进去。"
    )


def inbound(text: str) -> Inbound:
    """The rep's text cleaned of what cannot be stored, or refused when it is too long."""
    cleaned = clean(text)
    if len(cleaned) > MAX_MESSAGE_CHARS:
        return Inbound("", too_long_reply(len(cleaned)))
    return Inbound(cleaned, None)
