"""Turns the bot's replies to one incoming message into one WeCom message.

WeCom silently drops app messages beyond 30 per member per minute, so everything the bot
says in one turn is merged. WeCom app messages cannot show Rasa's buttons, so they become a
numbered list the rep answers with a digit (see `bot.adapters.wecom.choices`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

CHOOSE_PROMPT = "回复数字选择:"
REPORT_MARKERS = ("📋", "总分")
REPORT_MIN_LINES = 3


@dataclass(frozen=True)
class Reply:
    content: str
    markdown: bool = False
    choices: list[str] = field(default_factory=list)  # button payloads, in the listed order


def render_reply(bot_messages: Iterable[Mapping[str, Any]]) -> Reply:
    """`bot_messages` are Rasa's collected messages (text, buttons, image, attachment)."""
    blocks: list[str] = []
    choices: list[str] = []
    for message in bot_messages:
        lines = [str(message[key]) for key in ("text", "image", "attachment") if message.get(key)]
        buttons = [b for b in message.get("buttons") or [] if b.get("payload")]
        if buttons:
            lines.append(CHOOSE_PROMPT)
            for button in buttons:
                choices.append(str(button["payload"]))
                lines.append(f"{len(choices)}. {button.get('title') or button['payload']}")
        if lines:
            blocks.append("\n".join(lines))
    content = "\n\n".join(blocks)
    return Reply(content=content, markdown=looks_like_report(content), choices=choices)


def looks_like_report(content: str) -> bool:
    """Reports (scores per dimension) read better with markdown's layout; chat stays text,
    which is also what the WeChat plug-in can show."""
    many_lines = content.count("\n") + 1 >= REPORT_MIN_LINES
    return many_lines and any(marker in content for marker in REPORT_MARKERS)


TEXT_ONLY_REPLY = (
    "目前我只能看懂文字消息哦 🙂 请直接打字告诉我你想做什么,比如“开始对练”“考考我”或“帮助”。"
)
