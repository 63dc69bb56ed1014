"""The action server, started by `python -m actions.server` instead of `rasa run actions`.

rasa-sdk's server answers anyone who reaches it: a hand-built tracker posted to /webhook
could create a finished role-play owned by another rep, with any score. This one is
rasa-sdk's app with three changes:

- every request but /health needs `Authorization: Bearer <ACTION_SERVER_TOKEN>`, the header
  endpoints.yml makes Rasa send; without the variable the server refuses to start;
- it listens on ACTION_SERVER_HOST (default 127.0.0.1) with no CORS: only Rasa calls it;
- each worker loads the methodology, scenarios, scorer, simulator and database before it
  serves, so the first role-play after a restart is answered as fast as the others.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from rasa_sdk.utils import number_of_sanic_workers
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.knowledge import warm_up

logger = logging.getLogger(__name__)
TOKEN_VARIABLE = "ACTION_SERVER_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 5055
OPEN_PATHS = frozenset({"/health"})  # what a load balancer or start-up script may ask freely


def authorised(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries the token (compared in constant time)."""
    scheme, _, given = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())


def build_app(token: str) -> Sanic:
    if not token:
        raise ValueError(f"{TOKEN_VARIABLE} is empty")
    app = create_app("actions", cors_origins=None)

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authorised(request.headers.get("authorization"), token):
            return None
        logger.warning("action server call refused from %s: no valid token", request.ip)
        return response.json({"error": "unauthorised"}, status=401)

    @app.before_server_start
    async def load_everything(_app: Sanic, _loop: object) -> None:
        warm_up()

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="salescoach action server")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        raise SystemExit(
            f"{TOKEN_VARIABLE} is not set: the action server needs the token Rasa sends "
            "(endpoints.yml). `make run` makes one for each start."
        )
    host = os.environ.get("ACTION_SERVER_HOST", DEFAULT_HOST)
    logger.info("action server on http://%s:%d", host, arguments.port)
    build_app(token).run(host, arguments.port, workers=number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
