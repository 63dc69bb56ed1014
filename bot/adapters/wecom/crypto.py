"""WeCom callback cryptography (加解密方案): the SHA-1 signature and AES-256-CBC decryption.

The padding is PKCS#7 over 32-byte blocks, not AES's 16, so the padder is configured for 256
bits; a plaintext is 16 random bytes, a 4-byte big-endian length, the message, and the id of
the corp it was meant for, which must be ours so another corp's callbacks cannot be replayed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAD_BLOCK_BITS = 256  # WeCom pads to 32 bytes
RANDOM_PREFIX_BYTES = 16
LENGTH_BYTES = 4


class DecryptError(ValueError):
    """The ciphertext is not a well-formed message for this corp."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """msg_signature: SHA-1 hex of the four strings sorted and joined."""
    joined = "".join(sorted((token, timestamp, nonce, encrypted)))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def signature_matches(token: str, timestamp: str, nonce: str, encrypted: str, given: str) -> bool:
    """Constant-time comparison, so the signature cannot be guessed byte by byte."""
    expected = signature(token, timestamp, nonce, encrypted)
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("utf-8"))


def decrypt(aes_key: bytes, corp_id: str, encrypted: str) -> str:
    """The message inside `encrypted` (base64), after checking it was meant for `corp_id`."""
    try:
        ciphertext = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptError("not base64") from None
    if not ciphertext or len(ciphertext) % 16:
        raise DecryptError("ciphertext is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(aes_key), modes.CBC(aes_key[:16])).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(PAD_BLOCK_BITS).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptError("bad padding") from None
    header = RANDOM_PREFIX_BYTES + LENGTH_BYTES
    if len(plain) < header:
        raise DecryptError("plaintext too short")
    (length,) = struct.unpack(">I", plain[RANDOM_PREFIX_BYTES:header])
    if header + length > len(plain):
        raise DecryptError("message length beyond the plaintext")
    message, receive_id = plain[header : header + length], plain[header + length :]
    if not hmac.compare_digest(receive_id, corp_id.encode("utf-8")):
        raise DecryptError("receive id is not our corp id")
    try:
        return message.decode("utf-8")
    except UnicodeDecodeError:
        raise DecryptError("message is not UTF-8") from None
