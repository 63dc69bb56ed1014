"""The XML of WeCom callbacks: the outer envelope and the decrypted message inside it.

Parsing goes through defusedxml with DTDs forbidden, so a callback body cannot expand
entities (billion laughs) or reach out to external resources.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

TEXT = "text"
EVENT = "event"
ENTER_AGENT = "enter_agent"


class MalformedXml(ValueError):
    """The XML is unreadable, forbidden (DTD, entities) or lacks a field we need."""


@dataclass(frozen=True)
class Envelope:
    """The outer callback body: who it is for and the encrypted message."""

    to_user: str
    encrypt: str
    agent_id: str


@dataclass(frozen=True)
class InboundMessage:
    """A decrypted message or event from a member to the app."""

    to_user: str
    from_user: str
    create_time: int
    msg_type: str
    content: str = ""
    msg_id: str = ""
    agent_id: str = ""
    event: str = ""

    @property
    def dedup_key(self) -> str:
        """Retries carry the same MsgId; events have none, so their sender, time and kind
        stand in for it."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.from_user}:{self.create_time}:{self.event}"


def parse_envelope(body: bytes | str) -> Envelope:
    root = _parse(body)
    return Envelope(
        to_user=_required(root, "ToUserName"),
        encrypt=_required(root, "Encrypt"),
        agent_id=_optional(root, "AgentID"),
    )


def parse_message(xml: str) -> InboundMessage:
    root = _parse(xml)
    msg_type = _required(root, "MsgType").lower()
    create_time = _required(root, "CreateTime")
    if not create_time.isdigit():
        raise MalformedXml("CreateTime is not a number")
    message = InboundMessage(
        to_user=_required(root, "ToUserName"),
        from_user=_required(root, "FromUserName"),
        create_time=int(create_time),
        msg_type=msg_type,
        content=_required(root, "Content") if msg_type == TEXT else "",
        msg_id=_optional(root, "MsgId"),
        agent_id=_optional(root, "AgentID"),
        event=_required(root, "Event").lower() if msg_type == EVENT else "",
    )
    if msg_type != EVENT and not message.msg_id:
        raise MalformedXml("MsgId missing")
    return message


def _parse(xml: bytes | str) -> Element:
    try:
        return fromstring(xml, forbid_dtd=True)
    except (ParseError, DefusedXmlException) as error:
        raise MalformedXml(type(error).__name__) from None


def _optional(root: Element, tag: str) -> str:
    return (root.findtext(tag) or "").strip()


def _required(root: Element, tag: str) -> str:
    value = _optional(root, tag)
    if not value:
        raise MalformedXml(f"{tag} missing")
    return value
