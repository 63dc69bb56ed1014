"""Reading WeCom's XML: the messages a rep sends, and bodies that must be refused."""

from __future__ import annotations

import pytest

from bot.adapters.wecom.messages import MalformedXml, parse_envelope, parse_message
from harness.fakes import wecom_callbacks as wecom
from harness.fakes.wecom_api import CORP_ID

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<xml><ToUserName>ww</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1</CreateTime>
<MsgType>text</MsgType><Content>&lol4;</Content><MsgId>1</MsgId></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>ww</ToUserName><Encrypt>&secret;</Encrypt><AgentID>1</AgentID></xml>"""

PLAIN_DOCTYPE = """<!DOCTYPE xml><xml><ToUserName>ww</ToUserName><Encrypt>abc</Encrypt></xml>"""


def test_a_text_message_is_read_with_everything_the_bot_needs() -> None:
    message = parse_message(wecom.text_xml("zhangsan", "来个老虎型的客户", "7312", 1700000000))
    assert message.msg_type == "text"
    assert message.from_user == "zhangsan"
    assert message.to_user == CORP_ID
    assert message.content == "来个老虎型的客户"
    assert message.msg_id == "7312"
    assert message.create_time == 1700000000
    assert message.agent_id == str(wecom.AGENT_ID)


def test_entering_the_app_is_an_event_without_msgid() -> None:
    message = parse_message(wecom.event_xml("zhangsan", "enter_agent", 1700000001))
    assert (message.msg_type, message.event, message.msg_id) == ("event", "enter_agent", "")


def test_an_image_is_read_as_an_image() -> None:
    message = parse_message(wecom.image_xml("zhangsan", "7313"))
    assert (message.msg_type, message.msg_id, message.content) == ("image", "7313", "")


def test_retries_share_a_key_and_different_messages_do_not() -> None:
    first = parse_message(wecom.text_xml("zhangsan", "你好", "1"))
    assert first.dedup_key == parse_message(wecom.text_xml("zhangsan", "你好", "1")).dedup_key
    assert first.dedup_key != parse_message(wecom.text_xml("zhangsan", "你好", "2")).dedup_key

    def entering(user: str, create_time: int) -> str:
        return parse_message(wecom.event_xml(user, "enter_agent", create_time)).dedup_key

    assert entering("zhangsan", 100) == entering("zhangsan", 100)
    assert entering("zhangsan", 100) != entering("zhangsan", 101)
    assert entering("zhangsan", 100) != entering("lisi", 100)


def test_the_envelope_gives_the_encrypted_part() -> None:
    envelope = parse_envelope(wecom.envelope("c2VjcmV0"))
    assert (envelope.to_user, envelope.encrypt) == (CORP_ID, "c2VjcmV0")


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><ToUserName>ww</ToUserName>",  # cut off
        "这不是XML",
        "",
        wecom.text_xml("zhangsan", "你好", "1")
        .replace("<FromUserName>", "<From>")
        .replace("</FromUserName>", "</From>"),
        wecom.text_xml("zhangsan", "你好", "1").replace("<MsgId>1</MsgId>", ""),
        wecom.text_xml("zhangsan", "你好", "1").replace("<Content><![CDATA[你好]]></Content>", ""),
        wecom.event_xml("zhangsan", "enter_agent", 1).replace("enter_agent", ""),
        wecom.text_xml("zhangsan", "你好", "1", create_time=1).replace(">1<", ">yesterday<", 1),
    ],
    ids=[
        "truncated",
        "not-xml",
        "empty",
        "no-sender",
        "no-msgid",
        "no-content",
        "no-event",
        "bad-time",
    ],
)
def test_unreadable_or_incomplete_messages_are_refused(xml: str) -> None:
    with pytest.raises(MalformedXml):
        parse_message(xml)


@pytest.mark.parametrize("xml", [BILLION_LAUGHS, EXTERNAL_ENTITY, PLAIN_DOCTYPE])
def test_xml_with_a_doctype_is_refused_before_any_entity_is_expanded(xml: str) -> None:
    with pytest.raises(MalformedXml):
        parse_message(xml)
    with pytest.raises(MalformedXml):
        parse_envelope(xml.encode())


def test_an_envelope_without_the_encrypted_part_is_refused() -> None:
    with pytest.raises(MalformedXml, match="Encrypt"):
        parse_envelope(b"<xml><ToUserName>ww</ToUserName><AgentID>1</AgentID></xml>")
