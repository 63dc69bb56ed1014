"""Callback signatures and decryption, checked against WeCom's scheme computed independently
(hashlib, and the AES primitives of `cryptography` called directly in harness/fakes)."""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time

import pytest

from bot.adapters.wecom.callback import CallbackRejected, open_message, verify_url
from bot.adapters.wecom.crypto import DecryptError, decrypt, signature, signature_matches
from bot.adapters.wecom.settings import WeComSettings, decode_aes_key
from harness.fakes import wecom_callbacks as wecom
from harness.fakes.wecom_api import CORP_ID, SECRET

KEY = base64.b64decode(wecom.AES_KEY_43 + "=")


def settings(max_skew_seconds: int = 300) -> WeComSettings:
    return WeComSettings(
        corp_id=CORP_ID,
        agent_id=wecom.AGENT_ID,
        secret=SECRET,
        token=wecom.TOKEN,
        aes_key=decode_aes_key(wecom.AES_KEY_43),
        max_skew_seconds=max_skew_seconds,
    )


def test_signature_is_sha1_of_the_sorted_parts() -> None:
    parts = ["1409659813", "1372623149", "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5z"]
    expected = hashlib.sha1("".join(sorted([wecom.TOKEN, *parts])).encode()).hexdigest()
    assert signature(wecom.TOKEN, *parts) == expected
    assert signature_matches(wecom.TOKEN, *parts, expected.upper())
    assert not signature_matches(wecom.TOKEN, *parts, "0" * 40)
    assert not signature_matches("another-token", *parts, expected)


def test_a_hand_encrypted_message_decrypts_to_the_original() -> None:
    xml = wecom.text_xml("lisi", "您好,我想了解一下喷码机的价格。", "7301")
    assert decrypt(KEY, CORP_ID, wecom.encrypt(xml)) == xml


def test_a_full_block_of_padding_is_accepted() -> None:
    """Padding runs to 32 bytes, not AES's 16: a plaintext of whole blocks gets 32 pad bytes."""
    message = "x" * (64 - 16 - 4 - len(CORP_ID))
    plain = os.urandom(16) + struct.pack(">I", len(message)) + message.encode() + CORP_ID.encode()
    assert len(plain) % 32 == 0
    padded = plain + bytes([32]) * 32
    assert decrypt(KEY, CORP_ID, wecom.encrypt_raw(padded)) == message


def test_a_message_for_another_corp_is_refused() -> None:
    encrypted = wecom.encrypt("<xml/>", corp_id="wwsomeoneelse")
    with pytest.raises(DecryptError, match="receive id"):
        decrypt(KEY, CORP_ID, encrypted)


@pytest.mark.parametrize(
    "tail",
    [bytes([0]), bytes([33]), bytes([3, 2, 3]), bytes([5]) * 4 + bytes([6])],
    ids=["zero", "over-32", "inconsistent", "short-run"],
)
def test_bad_padding_is_refused(tail: bytes) -> None:
    body = b"<xml/>"
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + CORP_ID.encode()
    filler = b"a" * (-(len(plain) + len(tail)) % 32)
    with pytest.raises(DecryptError, match="padding"):
        decrypt(KEY, CORP_ID, wecom.encrypt_raw(plain + filler + tail))


@pytest.mark.parametrize("encrypted", ["not base64!", "", "QUJD", "QUJDREVGR0g="])
def test_text_that_is_not_a_ciphertext_is_refused(encrypted: str) -> None:
    with pytest.raises(DecryptError):
        decrypt(KEY, CORP_ID, encrypted)


def test_a_length_beyond_the_plaintext_is_refused() -> None:
    plain = os.urandom(16) + struct.pack(">I", 500) + b"<xml/>" + CORP_ID.encode()
    with pytest.raises(DecryptError, match="length"):
        decrypt(KEY, CORP_ID, wecom.encrypt_raw(wecom.pad32(plain)))


def test_url_verification_returns_the_decrypted_echostr() -> None:
    echo = "1616140317555161061"
    # A fixed random prefix whose ciphertext has a "+", which an unencoded query turns into " ".
    echostr = next(
        encrypted
        for encrypted in (wecom.encrypt(echo, random16=bytes([i]) * 16) for i in range(256))
        if "+" in encrypted
    )
    stamp, nonce = str(int(time.time())), "1597212914"
    query = {"msg_signature": wecom.sign(stamp, nonce, echostr), "timestamp": stamp}
    query |= {"nonce": nonce, "echostr": echostr}
    assert verify_url(settings(), query, time.time()) == echo
    assert verify_url(settings(), query | {"echostr": echostr.replace("+", " ")}, time.time())
    with pytest.raises(CallbackRejected) as rejected:
        verify_url(settings(), query | {"msg_signature": "0" * 40}, time.time())
    assert rejected.value.status == 403


def test_a_signed_callback_opens_and_a_tampered_one_does_not() -> None:
    callback = wecom.callback(wecom.text_xml("lisi", "你好", "42"))
    message = open_message(settings(), callback.query, callback.body, time.time())
    assert (message.from_user, message.content, message.msg_id) == ("lisi", "你好", "42")
    other = wecom.callback(wecom.text_xml("lisi", "你好", "43"))
    with pytest.raises(CallbackRejected) as rejected:  # right signature, other body
        open_message(settings(), callback.query, other.body, time.time())
    assert rejected.value.status == 403


def test_a_stale_timestamp_is_refused_unless_the_check_is_off() -> None:
    hour_ago = int(time.time()) - 3600
    callback = wecom.callback(wecom.text_xml("lisi", "你好", "44"), timestamp=hour_ago)
    with pytest.raises(CallbackRejected) as rejected:
        open_message(settings(), callback.query, callback.body, time.time())
    assert rejected.value.status == 403
    replayed = open_message(settings(max_skew_seconds=0), callback.query, callback.body, 0)
    assert replayed.msg_id == "44"
