"""The web app for reps (practice in a browser chat, reports, progress), trainers (review,
comments, score overrides, dashboards, exports) and admins (users, teams, scenario uploads).

Nothing is opened at import: `create_app` opens the database (migrating it) and builds the app.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DBAPIError

from bot.adapters.storage import Storage, open_database
from bot.adapters.storage.accounts import Accounts
from bot.adapters.storage.review import Review
from bot.adapters.storage.scenario_uploads import ScenarioUploads
from bot.adapters.storage.sign_in import SignIns
from bot.methodology import load_methodology
from bot.practice.scenarios import load_scenarios
from webapp import admin, auth, display, rep, trainer
from webapp.headers import security_headers
from webapp.services import Services

logger = logging.getLogger(__name__)
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
SESSION_HOURS = 8
MAX_UPLOAD_BYTES = 1024 * 1024


def create_app(
    database_url: str | None = None,
    rasa_url: str = DEFAULT_RASA_URL,
    web_chat_secret: str = "",
    secret_key: str | None = None,
    secure_cookies: bool = False,
) -> Flask:
    """The app on `database_url` (default: DATABASE_URL or var/salescoach.db), talking to the
    Rasa server at `rasa_url`, signing chat messages with `web_chat_secret` (the Rasa
    server's WEB_CHAT_SECRET; empty: the chat is off). Without a secret key a random one is
    made, so sessions end when the process restarts."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or os.urandom(32),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="salescoach_session",
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        # The token lives as long as the signed-in session, not the default hour, so a page
        # left open over lunch can still send a chat message.
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        # Checked in `auth.protect`, after the user is known, so an anonymous call to a JSON
        # endpoint hears "sign in" (401) rather than a token error.
        WTF_CSRF_CHECK_DEFAULT=False,
        SESSION_COOKIE_SECURE=secure_cookies,  # behind HTTPS (WEB_SECURE_COOKIES=1)
    )
    database = open_database(database_url)
    methodology = load_methodology()
    library = load_scenarios(methodology)
    for error in library.errors:
        logger.error("scenario file skipped: %s", error)
    app.extensions["salescoach"] = Services(
        database=database,
        storage=Storage(database),
        accounts=Accounts(database),
        review=Review(database, weights=methodology.scoring.weights),
        uploads=ScenarioUploads(database),
        sign_ins=SignIns(database, timedelta(hours=SESSION_HOURS)),
        methodology=methodology,
        scenarios=library.scenarios,
        rasa_url=rasa_url.rstrip("/"),
        web_chat_secret=web_chat_secret,
    )
    csrf = CSRFProtect(app)
    security_headers(app)
    for module in (auth, rep, trainer, admin):
        app.register_blueprint(module.blueprint)
    display.register(app)
    app.before_request(auth.load_user)
    app.before_request(lambda: auth.protect(csrf))
    app.register_error_handler(CSRFError, _csrf_error)
    for status in (400, 403, 404, 413):
        app.register_error_handler(status, _error_page)
    app.register_error_handler(DBAPIError, _database_unavailable)
    return app


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _csrf_error(error: CSRFError):
    message = "页面已过期或安全校验失败,请刷新页面后重试。"
    if _wants_json():
        return jsonify(error=message), 400
    return render_template("error.html", status=400, message=message), 400


ERROR_MESSAGES = {
    400: "请求有误,请检查后重试。",
    403: "你没有权限查看这个页面。",
    404: "找不到这个页面,可能链接有误或内容已被删除。",
    413: "上传的文件太大(最大 1 MB)。",
}


DATABASE_DOWN = (
    "数据库暂时连不上,刚才的操作没有完成,也没有保存。请稍等几秒再试一次(聊天消息请再发一次);"
    "一直不行请联系管理员。"
)


def _database_unavailable(error: DBAPIError):
    """A database that is down (or restarting) gets a clear 503, never a stack trace; the
    page itself may need the database (the signed-in user), so plain text is the fallback."""
    logger.error("database unavailable: %s", error)
    if _wants_json():
        return jsonify(error=DATABASE_DOWN), 503
    try:
        return render_template("error.html", status=503, message=DATABASE_DOWN), 503
    except DBAPIError:
        return DATABASE_DOWN, 503, {"Content-Type": "text/plain; charset=utf-8"}


def _error_page(error):
    status = getattr(error, "code", 500)
    message = ERROR_MESSAGES.get(status, "出错了,请稍后再试。")
    if _wants_json():
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status
