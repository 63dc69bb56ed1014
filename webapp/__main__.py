"""`python -m webapp`: open the database (DATABASE_URL or var/salescoach.db, migrated), create
the demo users on an empty database, and serve the web app with waitress on WEB_PORT.

Environment: DATABASE_URL, WEB_PORT (8000), WEB_HOST (0.0.0.0), RASA_URL
(http://localhost:5005), WEB_SECRET_KEY (sessions survive restarts only when it is set),
WEB_SECURE_COOKIES=1 behind HTTPS.
"""

from __future__ import annotations

import logging
import os

from waitress import serve

from webapp import DEFAULT_RASA_URL, create_app
from webapp.services import services

logger = logging.getLogger("webapp")


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    secret_key = os.environ.get("WEB_SECRET_KEY")
    if not secret_key:
        logger.warning("WEB_SECRET_KEY is not set: everyone is signed out when the app restarts")
    app = create_app(
        database_url=os.environ.get("DATABASE_URL") or None,
        rasa_url=os.environ.get("RASA_URL", DEFAULT_RASA_URL),
        secret_key=secret_key,
    )
    app.config["SESSION_COOKIE_SECURE"] = os.environ.get("WEB_SECURE_COOKIES") == "1"
    with app.app_context():
        if services().accounts.seed_demo_users():
            logger.info("empty database: demo users created (admin, trainer, trainer2, rep1, rep2)")
    host = os.environ.get("WEB_HOST", "0.0.0.0")
    port = int(os.environ.get("WEB_PORT", "8000"))
    logger.info(
        "web app on http://%s:%d, Rasa at %s", host, port, app.extensions["salescoach"].rasa_url
    )
    serve(app, host=host, port=port, threads=8)


if __name__ == "__main__":
    main()
