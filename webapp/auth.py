"""Signing in and out, and the role check every other endpoint goes through.

The signed-in user is read from the database on every request, so a role or team changed by
an admin applies at once. Pages answer an anonymous visitor with a redirect to the sign-in
page; JSON endpoints answer 401, since a script cannot follow a login form.
"""

from __future__ import annotations

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

blueprint = Blueprint("auth", __name__)
HOME = {REP: "rep.practice", TRAINER: "trainer.sessions", ADMIN: "admin.users"}


def load_user() -> None:
    user_id = session.get("user_id")
    g.user = services().accounts.user(user_id) if isinstance(user_id, int) else None
    if user_id is not None and g.user is None:
        session.clear()  # the account is gone


def protect(csrf: CSRFProtect):
    """CSRF check for every state-changing request, after a 401 for anonymous API calls."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
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
        user = services().accounts.authenticate(form.username.data, form.password.data)
        if user is None:
            flash("用户名或密码不正确。", "error")
        else:
            session.clear()  # a fresh session: nothing carried over from before sign-in
            session["user_id"] = user.id
            session.permanent = True
            target = request.args.get("next", "")
            return redirect(target if _is_local(target) else url_for(HOME[user.role]))
    return render_template("login.html", form=form)


@blueprint.post("/logout")
@require()
def logout():
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
