"""The WeCom active message API (发送应用消息), used because callbacks must be answered within
5 seconds, long before the bot may be done.

The aiohttp session is created on first use, on the loop that is running then (Rasa's), so
nothing is opened at import or construction. Failures are logged and reported as False,
never raised: a reply that cannot be delivered must not break the conversation handling.

The access token sits in the channel's shared memory (`bot.adapters.wecom.shared`): WeCom
limits how often a token may be fetched, so of all the replicas one fetches it at a time and
the others wait for it and reuse it. When WeCom answers a fetch with errcode 45009 (too
frequent) nobody fetches for a while, twice as long after each refusal.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from typing import Any

import aiohttp

from bot.adapters.wecom.shared import LocalMemory, SharedMemory

logger = logging.getLogger(__name__)

MAX_CONTENT_BYTES = 2048  # text and markdown content limit of message/send
TOKEN_EARLY_REFRESH_SECONDS = 300
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})  # invalid credential / token, token expired
UNTRUSTED_IP_ERRCODE = 60020
FREQUENCY_ERRCODE = 45009  # api freq out of limit
FETCH_TURN_SECONDS = 15.0  # how long one process may take to fetch a token for all
WAIT_FOR_TOKEN_POLL_SECONDS = 0.05
FIRST_BACKOFF_SECONDS = 2.0
LONGEST_BACKOFF_SECONDS = 120.0
BACKOFF_MEMORY_SECONDS = 600.0  # a refusal this long ago no longer lengthens the next pause
SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


class WeComClient:
    def __init__(
        self,
        api_base: str,
        corp_id: str,
        secret: str,
        agent_id: int,
        timeout_seconds: float = 10.0,
        memory: SharedMemory | None = None,
    ) -> None:
        self._api_base = api_base.rstrip("/")
        self._corp_id = corp_id
        self._secret = secret
        self._agent_id = agent_id
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None
        self._memory = memory or LocalMemory()
        self._wait_seconds = timeout_seconds
        self._me = uuid.uuid4().hex  # marks the fetch this process is making
        key = f"token:{corp_id}:{agent_id}"
        self._token_key, self._fetching_key = key, f"{key}:fetching"
        self._backoff_key, self._next_backoff_key = f"{key}:backoff", f"{key}:next-backoff"

    async def send(self, touser: str, content: str, *, markdown: bool = False) -> bool:
        """Send `content` to one member, in several messages if it is too long for one.

        True if every part was accepted.
        """
        delivered = True
        for part in split_message(content):
            delivered = await self._send_part(touser, part, markdown) and delivered
        return delivered

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _send_part(self, touser: str, content: str, markdown: bool) -> bool:
        msgtype = "markdown" if markdown else "text"
        payload = {
            "touser": touser,
            "msgtype": msgtype,
            "agentid": self._agent_id,
            msgtype: {"content": content},
        }
        token = await self._access_token()
        if token is None:
            return False
        result = await self._post_message(token, payload)
        if result is not None and result.get("errcode") in TOKEN_ERRCODES:
            logger.info("WeCom rejected the access token (errcode %s); renewing", result["errcode"])
            await self._forget_token(token)
            token = await self._access_token()
            if token is None:
                return False
            result = await self._post_message(token, payload)
        if result is None:
            return False
        if result.get("errcode", 0) != 0:
            _log_error("message/send", result)
            return False
        logger.debug("WeCom message to %s: %s", touser, content)
        return True

    async def _post_message(self, token: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        return await self._call("POST", "/cgi-bin/message/send", {"access_token": token}, payload)

    async def _access_token(self) -> str | None:
        """The token every process shares; this one fetches it only when nobody else is."""
        deadline = time.monotonic() + self._wait_seconds
        while True:
            token = await self._memory.get(self._token_key)
            if token:
                return token
            if await self._memory.get(self._backoff_key) is not None:
                logger.warning("WeCom gettoken paused after errcode 45009; message not sent")
                return None
            if await self._memory.put_if_absent(self._fetching_key, self._me, FETCH_TURN_SECONDS):
                try:
                    return await self._fetch_token()
                finally:
                    await self._memory.delete_if(self._fetching_key, self._me)
            if time.monotonic() >= deadline:
                logger.error("WeCom access token not fetched by another process in time")
                return None
            await asyncio.sleep(WAIT_FOR_TOKEN_POLL_SECONDS)

    async def _fetch_token(self) -> str | None:
        query = {"corpid": self._corp_id, "corpsecret": self._secret}
        result = await self._call("GET", "/cgi-bin/gettoken", query)
        if result is None:
            return None
        if result.get("errcode") == FREQUENCY_ERRCODE:
            await self._back_off()
        if result.get("errcode", 0) != 0 or not result.get("access_token"):
            _log_error("gettoken", result)
            return None
        await self._memory.take(self._next_backoff_key)
        token = str(result["access_token"])
        lifetime = int(result.get("expires_in", 7200)) - TOKEN_EARLY_REFRESH_SECONDS
        await self._memory.put(self._token_key, token, max(lifetime, 1))
        return token

    async def _back_off(self) -> None:
        """No fetch for a while, by any process: longer after each refusal in a row."""
        previous = await self._memory.get(self._next_backoff_key)
        seconds = float(previous) if previous else FIRST_BACKOFF_SECONDS
        await self._memory.put(self._backoff_key, "1", seconds)
        following = str(min(seconds * 2, LONGEST_BACKOFF_SECONDS))
        await self._memory.put(self._next_backoff_key, following, BACKOFF_MEMORY_SECONDS)
        logger.warning("WeCom gettoken errcode 45009: no fetch for %.0f s", seconds)

    async def _forget_token(self, rejected: str) -> None:
        """Only the rejected token is dropped; another send may already have a newer one."""
        await self._memory.delete_if(self._token_key, rejected)

    async def _call(
        self, method: str, path: str, query: dict[str, str], body: Any = None
    ) -> dict[str, Any] | None:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._session.request(
                method, self._api_base + path, params=query, json=body
            ) as response:
                response.raise_for_status()
                result = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            # The error's text could contain the URL with the secret or token; log its type only.
            logger.error("WeCom %s failed: %s", path, type(error).__name__)
            return None
        if not isinstance(result, dict):
            logger.error("WeCom %s answered something that is not a JSON object", path)
            return None
        return result


def _log_error(api: str, result: dict[str, Any]) -> None:
    errcode, errmsg = result.get("errcode"), result.get("errmsg", "")
    if errcode == UNTRUSTED_IP_ERRCODE:
        logger.error(
            "WeCom %s errcode 60020 (%s): this server's IP is not in the app's trusted IP list. "
            "Add the server's public IP under 企业微信管理后台 → 应用管理 → this app → "
            "企业可信IP, then try again.",
            api,
            errmsg,
        )
    else:
        logger.error("WeCom %s errcode %s: %s", api, errcode, errmsg)


def split_message(text: str, limit: int = MAX_CONTENT_BYTES) -> list[str]:
    """Parts of at most `limit` UTF-8 bytes whose concatenation is `text` (none for ""), cut
    after a sentence end where possible and never inside a character."""
    parts: list[str] = []
    current = ""
    for sentence in SENTENCE_END.split(text):
        if not sentence:
            continue
        if _size(current + sentence) <= limit:
            current += sentence
            continue
        if current:
            parts.append(current)
        current = ""
        while _size(sentence) > limit:
            head = _hard_cut(sentence, limit)
            parts.append(head)
            sentence = sentence[len(head) :]
        current = sentence
    if current:
        parts.append(current)
    return parts


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _hard_cut(text: str, limit: int) -> str:
    """The longest prefix of `text` that fits in `limit` bytes (whole characters only)."""
    head = text.encode("utf-8")[:limit]
    return head.decode("utf-8", errors="ignore")
