"""`python -m webapp`: serve the web app with waitress; `python -m webapp create-admin NAME`:
the first admin (or another); `python -m webapp demo-users`: demo teams and users with random
passwords, printed once, on a database where nobody can sign in yet.

No account is ever created with a published password, and serving creates none: on a
database where nobody can sign in, the log says how to create the first admin.

Environment: DATABASE_URL, WEB_HOST (127.0.0.1: only this machine; a reverse proxy is the
public face, deploy/nginx-salescoach.conf), WEB_PORT (8000), RASA_URL (http://localhost:5005),
WEB_CHAT_SECRET (the Rasa server's: signs chat messages; without it the chat is off),
WEB_SECRET_KEY (sessions survive restarts only when it is set), WEB_SECURE_COOKIES=1 behind
HTTPS, WEB_BEHIND_PROXY=1 to read the client's address from X-Forwarded-For (the sign-in
limits count per address), SALESCOACH_ADMIN_PASSWORD for `create-admin` without a prompt.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys

from waitress import serve
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.adapters.storage.accounts import AccountError
from bot.adapters.web_chat_signature import SECRET_VARIABLE
from bot.methodology.vocabulary import ADMIN
from webapp import DEFAULT_RASA_URL, create_app
from webapp.services import services

logger = logging.getLogger("webapp")
FIRST_ADMIN_HINT = (
    "nobody can sign in yet: create the first admin with "
    "`make admin NAME=...` (python -m webapp create-admin NAME)"
)


def _app():
    secure = os.environ.get("WEB_SECURE_COOKIES") == "1"
    app = create_app(
        database_url=os.environ.get("DATABASE_URL") or None,
        rasa_url=os.environ.get("RASA_URL", DEFAULT_RASA_URL),
        web_chat_secret=os.environ.get(SECRET_VARIABLE, ""),
        secret_key=os.environ.get("WEB_SECRET_KEY"),
        secure_cookies=secure,
    )
    if os.environ.get("WEB_BEHIND_PROXY") == "1":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    return app


def serve_app() -> None:
    if not os.environ.get(SECRET_VARIABLE):
        logger.warning("%s is not set: the practice chat is off", SECRET_VARIABLE)
    if not os.environ.get("WEB_SECRET_KEY"):
        logger.warning("WEB_SECRET_KEY is not set: everyone is signed out when the app restarts")
    app = _app()
    with app.app_context():
        if not services().accounts.anyone_can_sign_in():
            logger.warning(FIRST_ADMIN_HINT)
    host = os.environ.get("WEB_HOST", "127.0.0.1")
    port = int(os.environ.get("WEB_PORT", "8000"))
    logger.info(
        "web app on http://%s:%d, Rasa at %s", host, port, app.extensions["salescoach"].rasa_url
    )
    serve(app, host=host, port=port, threads=8)


def create_admin(username: str, display_name: str | None) -> int:
    password = os.environ.get("SALESCOACH_ADMIN_PASSWORD")
    shown = False
    if not password and sys.stdin.isatty():
        password = getpass.getpass(f"password for {username} (empty: a random one): ")
    if not password:
        password, shown = secrets.token_urlsafe(12), True
    app = _app()
    with app.app_context():
        try:
            services().accounts.create_user(
                username, display_name or username, password, ADMIN, None
            )
        except AccountError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    print(f"admin {username} created." + (f" password (shown once): {password}" if shown else ""))
    return 0


def demo_users() -> int:
    app = _app()
    with app.app_context():
        passwords = services().accounts.seed_demo_users()
    if not passwords:
        print("not created: somebody can already sign in to this database", file=sys.stderr)
        return 2
    print("demo users (passwords shown once; change them in the web app):")
    for username, password in passwords.items():
        print(f"  {username:10} {password}")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    parser = argparse.ArgumentParser(prog="python -m webapp", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command")
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("username")
    admin.add_argument("--display-name")
    commands.add_parser("demo-users", help="demo teams and users with random passwords")
    options = parser.parse_args(argv)
    if options.command == "create-admin":
        return create_admin(options.username, options.display_name)
    if options.command == "demo-users":
        return demo_users()
    serve_app()
    return 0


if __name__ == "__main__":
    sys.exit(main())
