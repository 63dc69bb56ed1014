"""WeCom's side of a callback, computed independently of `bot.adapters.wecom`: the message XML built
by hand, encrypted with the `cryptography` primitives directly, signed with hashlib.

Everything follows WeCom's 加解密方案说明: key = base64(EncodingAESKey + "="), IV = first 16
bytes of the key, plaintext = random(16) + length(4, big-endian) + message + corp id, PKCS#7
padding to 32-byte blocks, AES-256-CBC, base64.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from harness.fakes.wecom_api import CORP_ID

TOKEN = "salescoachtoken"
AGENT_ID = 1000002
# 32 fixed bytes shown as the admin console does: 43 base64 characters without the "=".
AES_KEY_43 = base64.b64encode(bytes(range(7, 39))).decode()[:-1]


def pad32(data: bytes) -> bytes:
    pad = 32 - len(data) % 32
    return data + bytes([pad]) * pad


def encrypt(
    message: str,
    corp_id: str = CORP_ID,
    aes_key_43: str = AES_KEY_43,
    random16: bytes | None = None,
) -> str:
    key = base64.b64decode(aes_key_43 + "=")
    body = message.encode("utf-8")
    plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body
    plain += corp_id.encode("utf-8")
    return encrypt_raw(pad32(plain), key)


def encrypt_raw(padded: bytes, key: bytes | None = None) -> str:
    """AES-256-CBC of already padded bytes, for building broken plaintexts on purpose."""
    key = key or base64.b64decode(AES_KEY_43 + "=")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def sign(timestamp: str, nonce: str, encrypted: str, token: str = TOKEN) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def text_xml(from_user: str, content: str, msg_id: str, create_time: int | None = None) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


def event_xml(from_user: str, event: str, create_time: int) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        f"<MsgType><![CDATA[event]]></MsgType>"
        f"<AgentID>{AGENT_ID}</AgentID>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[]]></EventKey></xml>"
    )


def image_xml(from_user: str, msg_id: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{from_user}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        f"<MsgType><![CDATA[image]]></MsgType>"
        f"<PicUrl><![CDATA[https://example.invalid/p.jpg]]></PicUrl>"
        f"<MediaId><![CDATA[media_abc]]></MediaId>"
        f"<MsgId>{msg_id}</MsgId><AgentID>{AGENT_ID}</AgentID></xml>"
    )


def envelope(encrypted: str) -> bytes:
    return (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt>"
        f"<AgentID><![CDATA[{AGENT_ID}]]></AgentID></xml>"
    ).encode()


@dataclass(frozen=True)
class Callback:
    """One POST as WeCom sends it: the query string and the XML body."""

    query: dict[str, str]
    body: bytes


def callback(
    inner_xml: str, timestamp: int | None = None, nonce: str = "1372623149", token: str = TOKEN
) -> Callback:
    encrypted = encrypt(inner_xml)
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    query = {"msg_signature": sign(stamp, nonce, encrypted, token), "timestamp": stamp}
    return Callback(query | {"nonce": nonce}, envelope(encrypted))
