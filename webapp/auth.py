"""Signing in and out, and the role check every other endpoint goes through.

The signed-in user is read from the database on every request, so a role or team changed by
an admin applies at once. Pages answer an anonymous visitor with a redirect to the sign-in
page; JSON endpoints answer 401, since a script cannot follow a login form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect

from bot.adapters.storage.accounts import User
from bot.adapters.storage.review import Viewer
from bot.methodology.vocabulary import ADMIN, REP, TRAINER
from webapp.forms import LoginForm
from webapp.services import services

logger = logging.getLogger(__name__)
blueprint = Blueprint("auth", __name__)
HOME = {REP: "rep.practice", TRAINER: "trainer.sessions", ADMIN: "admin.users"}


LOCKED_OUT = "登录失败次数过多,已暂时锁定 15 分钟。请稍后再试,或请管理员重设密码。"


def load_user() -> None:
    """The user of the session the cookie names, if that session is still open (signing out
    closes it: a copy of the cookie saved before no longer signs anyone in)."""
    session_id = session.get("sid")
    user_id = services().sign_ins.session_user(session_id) if isinstance(session_id, str) else None
    g.user = services().accounts.user(user_id) if user_id is not None else None
    if session_id is not None and g.user is None:
        session.clear()  # closed, expired, or the account is gone


def protect(csrf: CSRFProtect):
    """CSRF check for every state-changing request, after a 401 for anonymous API calls."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint is None:
        return None  # nothing to protect; a path that does not exist answers 404
    view = current_app.view_functions.get(request.endpoint or "")
    if g.user is None and getattr(view, "api", False):
        return jsonify(error="请先登录。"), 401
    csrf.protect()
    return None


def current_user() -> User:
    return g.user


def viewer() -> Viewer:
    user = current_user()
    return Viewer(user.id, user.role, user.team_id)


def require(*roles: str, api: bool = False) -> Callable:
    """Signed in (else redirect, or 401 for `api`) with one of `roles` (else 403)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args, **kwargs):
            if g.get("user") is None:
                if api:
                    return jsonify(error="请先登录。"), 401
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if roles and g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        checked.api = api  # type: ignore[attr-defined]  # read by `protect`
        return checked

    return decorate


@blueprint.get("/")
def index():
    if g.get("user") is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME[g.user.role]))


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        sign_ins, address = services().sign_ins, request.remote_addr or "unknown"
        username = form.username.data or ""
        if sign_ins.locked(username, address):
            logger.warning("sign-in refused (locked out): user=%r address=%s", username, address)
            return render_template("login.html", form=form, locked=LOCKED_OUT), 429
        user = services().accounts.authenticate(username, form.password.data or "")
        if user is None:
            sign_ins.failed(username, address)
            logger.warning("sign-in failed: user=%r address=%s", username, address)
            flash("用户名或密码不正确。", "error")
        else:
            sign_ins.succeeded(username)
            logger.info("sign-in: user=%s (%s) address=%s", user.username, user.id, address)
            session.clear()  # a fresh session: nothing carried over from before sign-in
            session["sid"] = sign_ins.open_session(user.id)
            session.permanent = True
            target = request.args.get("next", "")
            return redirect(target if _is_local(target) else url_for(HOME[user.role]))
    return render_template("login.html", form=form)


@blueprint.post("/logout")
@require()
def logout():
    session_id = session.get("sid")
    if isinstance(session_id, str):
        services().sign_ins.close_session(session_id)
    logger.info("sign-out: user=%s", current_user().username)
    session.clear()
    flash("你已安全退出。", "info")
    return redirect(url_for("auth.login"))


def _is_local(target: str) -> bool:
    """Only paths on this site: `next` must not send a user to another host after sign-in."""
    parts = urlsplit(target)
    # Browsers read "/\\host" like "//host", so a backslash is refused as well.
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not parts.netloc
    )
