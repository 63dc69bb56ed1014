"""A fake WeCom API (gettoken, message/send) served over real HTTP on 127.0.0.1.

It runs its own event loop in a background thread, so the code under test talks to it
exactly as to qyapi.weixin.qq.com. It records every request, and can be told to expire the
tokens it issued or to answer sends with given errcodes.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

CORP_ID = "ww5a1e5c0ach000001"
SECRET = "fake-app-secret-never-logged"
ERRMSGS = {
    40001: "invalid credential",
    40014: "invalid access_token",
    42001: "access_token expired",
    45009: "api freq out of limit",
    60020: "not allow to access from your ip",
}


@dataclass(frozen=True)
class SendAttempt:
    access_token: str
    body: dict[str, Any]
    errcode: int
    arrived_at: float  # time.perf_counter(), comparable across threads, for the benchmark


class FakeWeComApi:
    def __init__(self, corp_id: str = CORP_ID, secret: str = SECRET) -> None:
        self.corp_id = corp_id
        self.secret = secret
        self.token_requests: list[dict[str, str]] = []
        self.send_attempts: list[SendAttempt] = []
        self._valid_tokens: set[str] = set()
        self._serial = itertools.count(1)
        self._scripted_errcodes: deque[int] = deque()
        self._scripted_token_errcodes: deque[int] = deque()
        self._persistent_errcode = 0
        self._changed = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- control -------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every token issued so far is now rejected with 42001."""
        with self._changed:
            self._valid_tokens.clear()

    def fail_next_sends(self, *errcodes: int) -> None:
        with self._changed:
            self._scripted_errcodes.extend(errcodes)

    def fail_next_token_requests(self, *errcodes: int) -> None:
        """The next gettoken calls answer these errcodes (e.g. 45009, too frequent)."""
        with self._changed:
            self._scripted_token_errcodes.extend(errcodes)

    def fail_all_sends(self, errcode: int) -> None:
        with self._changed:
            self._persistent_errcode = errcode

    @property
    def delivered(self) -> list[dict[str, Any]]:
        """Bodies of the message/send calls that were accepted, in order of arrival."""
        with self._changed:
            return [a.body for a in self.send_attempts if a.errcode == 0]

    def wait_for_delivered(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Blocks (call it through asyncio.to_thread) until `count` messages arrived; the
        timeout only keeps a broken test from hanging."""
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: sum(a.errcode == 0 for a in self.send_attempts) >= count, timeout
            )
        if not arrived:
            raise AssertionError(f"expected {count} messages, got {self.delivered}")
        return self.delivered

    # --- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FakeWeComApi:
        ready = threading.Event()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

        def serve() -> None:
            self._loop = asyncio.new_event_loop()
            app = web.Application()
            app.router.add_get("/cgi-bin/gettoken", self._gettoken)
            app.router.add_post("/cgi-bin/message/send", self._send)
            self._runner = web.AppRunner(app, access_log=None)
            self._loop.run_until_complete(self._runner.setup())
            self._loop.run_until_complete(web.SockSite(self._runner, sock, backlog=1024).start())
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="fake-wecom-api", daemon=True)
        self._thread.start()
        ready.wait()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None and self._runner is not None and self._thread is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    # --- the API -------------------------------------------------------------------------

    async def _gettoken(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        with self._changed:
            self.token_requests.append(query)
            if query.get("corpid") != self.corp_id or query.get("corpsecret") != self.secret:
                return _answer(40001)
            if self._scripted_token_errcodes:
                return _answer(self._scripted_token_errcodes.popleft())
            token = f"token-{next(self._serial)}"
            self._valid_tokens.add(token)
        return web.json_response(
            {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        )

    async def _send(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        body = await request.json()
        with self._changed:
            if token not in self._valid_tokens:
                errcode = 42001
            elif self._scripted_errcodes:
                errcode = self._scripted_errcodes.popleft()
            else:
                errcode = self._persistent_errcode
            self.send_attempts.append(SendAttempt(token, body, errcode, time.perf_counter()))
            self._changed.notify_all()
        return _answer(errcode)


def _answer(errcode: int) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": ERRMSGS.get(errcode, "ok")})
