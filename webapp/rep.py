"""A rep's pages: the practice chat, a session's report, and his own history with progress.

Live per-turn feedback is read from the database rather than asked of the bot with "点评":
the action server writes each turn's assessment before it answers, so it is there when the
reply arrives, and asking the bot would cost a second trip through Rasa (the slow part under
load) and put coach commands into the conversation the trainer later reads.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, jsonify, render_template, request, url_for

from bot.adapters.storage.accounts import web_conversation_id
from bot.adapters.storage.review import Access, NewTurnFeedback, SessionFilter, Viewer
from bot.language.inbound import inbound
from bot.methodology.vocabulary import OUTCOME_NAMES, REP, ROLES
from webapp import charts
from webapp.auth import current_user, require, viewer
from webapp.display import move_label
from webapp.rasa_client import RasaUnavailable, send
from webapp.services import services

blueprint = Blueprint("rep", __name__)
ANY_ROLE = ROLES
HISTORY_PAGE_SIZE = 20


@blueprint.get("/practice")
@require(*ANY_ROLE)
def practice():
    app = services()
    return render_template(
        "practice.html",
        scenarios=app.offered_scenarios().values(),
        personas=app.methodology.personas.values(),
    )


CHAT_OFF = "网页聊天没有启用(管理员需设置 WEB_CHAT_SECRET),请联系管理员。"


@blueprint.post("/practice/send")
@require(*ANY_ROLE, api=True)
def send_message():
    """JSON in: {"message": "..."} or {"start": {"scenario": id, "persona": id}}, plus
    "feedback": true for the assessment of the turn. JSON out: the bot's replies."""
    app, user = services(), current_user()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="请求格式不正确。"), 400
    message, problem = _message(data)
    if problem:
        return jsonify(error=problem), 400
    if not app.web_chat_secret:
        return jsonify(error=CHAT_OFF), 503
    conversation = web_conversation_id(user.id)
    before_turn = app.review.newest_rep_turn_id(user.id)
    before = app.review.latest_session(user.id, conversation)
    try:
        replies = send(app.rasa_url, app.web_chat_secret, user.id, message)
    except RasaUnavailable:
        return jsonify(
            error="陪练机器人暂时连接不上,这句话没有发出去。请稍后再发一次,或联系管理员。"
        ), 502
    after = app.review.latest_session(user.id, conversation)
    finished_now = (
        after is not None
        and after.ended_at is not None
        and (before is None or before.id != after.id or before.ended_at is None)
    )
    feedback = app.review.feedback_after(user.id, before_turn) if data.get("feedback") else None
    return jsonify(
        replies=replies,
        feedback=_feedback(feedback) if feedback else None,
        report_url=url_for("rep.report", session_id=after.id) if after and finished_now else None,
    )


def _message(data: dict) -> tuple[str, str | None]:
    """The text for Rasa, or a problem to tell the rep."""
    app = services()
    start = data.get("start")
    if start is not None:
        if not isinstance(start, dict):
            return "", "请选择场景和客户性格。"
        scenario, persona = start.get("scenario"), start.get("persona")
        if scenario not in app.offered_scenarios() or persona not in app.methodology.personas:
            return "", "请选择场景和客户性格。"
        entities = json.dumps({"scenario": scenario, "persona": persona}, ensure_ascii=False)
        return f"/start_roleplay{entities}", None
    text = data.get("message")
    if not isinstance(text, str):
        return "", "请输入要说的话。"
    prepared = inbound(text)  # the same cleaning and limit as every other channel
    if prepared.refusal:
        return "", prepared.refusal
    if not prepared.text:
        return "", "请输入要说的话。"
    text = prepared.text
    # A "/intent" text is what the bot's own buttons send; it only steers the rep's own
    # conversation, and a role-play answers it with "please talk to the customer".
    return text, None


def _feedback(found: NewTurnFeedback) -> dict:
    methodology = services().methodology
    names = methodology.scoring.dimension_names
    moves = {key: move.name for key, move in methodology.moves.items()}
    step = methodology.visit_step(found.step) if found.step else None
    return {
        "text": found.text,
        "move": move_label(moves, found.move, found.also),
        "step": step.name if step else "—",
        "changes": [
            {"name": names[key], "delta": delta}
            for key, delta in found.changes.items()
            if delta and key in names
        ],
        "feedback": found.feedback,
    }


@blueprint.get("/sessions/<session_id>/report")
@require(*ANY_ROLE)
def report(session_id: str):
    """The report of one session: the rep's own, or one a trainer of his team or an admin opens."""
    app = services()
    access = app.review.access(viewer(), session_id)
    if access is Access.MISSING:
        abort(404)
    if access is Access.FORBIDDEN:
        abort(403)
    detail = app.review.detail(session_id)
    if detail is None:  # deleted between the access check and the read
        abort(404)
    names = app.dimension_names()
    radar = charts.session_radar(names, detail)
    return render_template(
        "report.html", detail=detail, radar=radar, names=names, outcomes=OUTCOME_NAMES
    )


@blueprint.get("/history")
@require(*ANY_ROLE)
def history():
    app, user = services(), current_user()
    page = request.args.get("page", 1, type=int)
    # Everyone's own history, whatever else his role lets him see.
    own = Viewer(user.id, REP, user.team_id)
    sessions = app.review.sessions(own, SessionFilter(), page=page, per_page=HISTORY_PAGE_SIZE)
    points = app.review.progress(user.id)
    chart = charts.progress(app.dimension_names(), points) if len(points) >= 2 else None
    return render_template(
        "history.html", sessions=sessions, points=points, chart=chart, outcomes=OUTCOME_NAMES
    )
