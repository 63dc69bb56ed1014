"""A Sanic server on 127.0.0.1 with an input channel mounted by Rasa's own `register`, as
`rasa run` mounts it, but with a given coroutine in place of Rasa's agent (which would need
a trained model). It runs on the caller's event loop, like Rasa's server."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage, register
from sanic import Sanic

Handler = Callable[[UserMessage], Awaitable[Any]]


class StandInAgent:
    """What Rasa's registered handler calls: `app.ctx.agent.handle_message(message)`."""

    def __init__(self, handle: Handler) -> None:
        self.handle_message = handle


@asynccontextmanager
async def serving(channel: InputChannel, handle: Handler, backlog: int = 100) -> AsyncIterator[str]:
    """Yields the server's base URL; the channel's endpoint is {url}/webhooks/<name>/...

    `backlog` is the listen queue, which `rasa run` takes from SANIC_BACKLOG (default 100).
    """
    # Sanic 21.12 rewrites its request handling code when an app starts; test mode keeps the
    # original so a second app in the same process (the next test) can start too.
    Sanic.test_mode = True
    app = Sanic(f"stand_in_{uuid.uuid4().hex}", configure_logging=False)
    app.ctx.agent = StandInAgent(handle)
    register([channel], app, route="/webhooks/")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = await app.create_server(
        sock=sock, backlog=backlog, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield url
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
        sock.close()
