"""Trainer pages: the session list with filters and CSV export, a transcript to comment on
and correct scores in, a printable report, and the team dashboard. Admins see every team;
a trainer sees his own team's sessions only (enforced by `bot.adapters.storage.review`)."""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from defusedcsv import csv  # a cell starting =, +, - or @ is not a live formula
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from bot.adapters.storage.review import Access, ReviewError, SessionDetail, SessionFilter
from bot.clock import CHINA_TIME
from bot.methodology import DIMENSIONS
from bot.methodology.vocabulary import ADMIN, OUTCOME_NAMES, TRAINER
from webapp import charts
from webapp.auth import current_user, require, viewer
from webapp.display import without_team
from webapp.forms import CommentForm, FilterForm, OverrideForm, first_error
from webapp.services import services

blueprint = Blueprint("trainer", __name__, url_prefix="/trainer")
REVIEWERS = (TRAINER, ADMIN)
PAGE_SIZE = 20


def _filter_form() -> tuple[FilterForm, SessionFilter]:
    """The filters from the query string, with choices limited to what the viewer may see."""
    app, user = services(), current_user()
    form = FilterForm(formdata=request.args)
    people = [
        person
        for person in app.accounts.users()
        if user.role == ADMIN or (user.team_id is not None and person.team_id == user.team_id)
    ]
    form.rep.choices = [("", "全部学员")] + [
        (str(p.id), without_team(p.display_name, p.team_name)) for p in people
    ]
    teams = [team for team in app.accounts.teams() if user.role == ADMIN]
    form.team.choices = [("", "全部团队")] + [(str(team.id), team.name) for team in teams]
    offered = app.offered_scenarios().values()
    form.scenario.choices = [("", "全部场景")] + [(s.id, s.name) for s in offered]
    form.persona.choices = [("", "全部性格")] + [
        (key, f"{p.animal}型({p.name})") for key, p in app.methodology.personas.items()
    ]
    valid = form.validate()
    if not valid:
        flash("部分筛选条件无效,已忽略。", "error")

    def value(field, convert=lambda v: v):
        return convert(field.data) if field.data not in (None, "") and not field.errors else None

    where = SessionFilter(
        rep_id=value(form.rep, int),
        team_id=value(form.team, int),
        scenario_id=value(form.scenario),
        persona=value(form.persona),
        started_from=value(form.date_from, _china_midnight),
        started_before=value(form.date_to, lambda day: _china_midnight(day) + timedelta(days=1)),
        score_min=value(form.score_min),
        score_max=value(form.score_max),
    )
    return form, where


def _china_midnight(day) -> datetime:
    return datetime.combine(day, time(), CHINA_TIME)


@blueprint.get("/sessions")
@require(*REVIEWERS)
def sessions():
    form, where = _filter_form()
    page = services().review.sessions(
        viewer(), where, page=request.args.get("page", 1, type=int), per_page=PAGE_SIZE
    )
    arguments = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "sessions.html", form=form, page=page, arguments=arguments, outcomes=OUTCOME_NAMES
    )


@blueprint.get("/sessions.csv")
@require(*REVIEWERS)
def export():
    """The filtered list as CSV, UTF-8 with a BOM so Excel reads the Chinese correctly. The
    overall twice: the automatic one and, where a trainer corrected a dimension, the revised
    one; the dimension columns are the scores that count (corrections applied)."""
    app = services()
    _form, where = _filter_form()
    names = app.dimension_names()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(
        ["开始时间(北京时间)", "学员", "团队", "场景", "客户性格", "结果", "自动总分"]
        + ["修订后总分"]
        + [names[key] for key in DIMENSIONS]
        + ["销售发言句数", "培训师修订", "对练编号"]
    )
    for row in app.review.export(viewer(), where):
        session = row.session
        writer.writerow(
            [
                f"{session.started_at.astimezone(CHINA_TIME):%Y-%m-%d %H:%M}",
                without_team(session.rep_name, session.team_name),
                session.team_name or "",
                app.scenario_name(session.scenario_id),
                app.persona_name(session.persona),
                OUTCOME_NAMES.get(session.outcome, "进行中") if session.outcome else "进行中",
                "" if session.overall is None else session.overall,
                "" if session.revised_overall is None else session.revised_overall,
            ]
            + ["" if row.dimensions[key] is None else row.dimensions[key] for key in DIMENSIONS]
            + [session.rep_turns, "是" if session.overridden else "", session.id]
        )
    stamp = datetime.now(CHINA_TIME).strftime("%Y%m%d-%H%M")
    return Response(
        out.getvalue().encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="salescoach-sessions-{stamp}.csv"'},
    )


def _visible_detail(session_id: str) -> SessionDetail:
    app = services()
    access = app.review.access(viewer(), session_id)
    if access is Access.MISSING:
        abort(404)
    if access is Access.FORBIDDEN:
        abort(403)
    detail = app.review.detail(session_id)
    if detail is None:  # deleted between the access check and the read
        abort(404)
    return detail


def _page_data(detail: SessionDetail) -> dict:
    app = services()
    names = app.dimension_names()
    radar = charts.session_radar(names, detail)
    methodology = app.methodology
    return {
        "detail": detail,
        "names": names,
        "radar": radar,
        "outcomes": OUTCOME_NAMES,
        "move_names": {key: move.name for key, move in methodology.moves.items()},
        "step_names": {step.id: step.name for step in methodology.visit_steps},
    }


@blueprint.get("/sessions/<session_id>")
@require(*REVIEWERS)
def transcript(session_id: str):
    detail = _visible_detail(session_id)
    override_form = OverrideForm()
    override_form.dimension.choices = list(services().dimension_names().items())
    return render_template(
        "transcript.html",
        comment_form=CommentForm(),
        override_form=override_form,
        **_page_data(detail),
    )


@blueprint.get("/sessions/<session_id>/print")
@require(*REVIEWERS)
def printable(session_id: str):
    return render_template("print.html", **_page_data(_visible_detail(session_id)))


@blueprint.post("/sessions/<session_id>/comments")
@require(*REVIEWERS)
def comment(session_id: str):
    detail = _visible_detail(session_id)
    form = CommentForm()
    anchor = "comments"
    if form.validate_on_submit():
        turn_id = int(form.turn_id.data) if (form.turn_id.data or "").isdigit() else None
        try:
            services().review.add_comment(session_id, current_user().id, form.text.data, turn_id)
        except ReviewError as error:
            flash(str(error), "error")
        else:
            flash("点评已保存。", "info")
        turn = next((turn for turn in detail.turns if turn.id == turn_id), None)
        anchor = f"turn-{turn.position}" if turn else anchor
    else:
        flash(first_error(form) or "点评没有保存,请重试。", "error")
    return redirect(url_for("trainer.transcript", session_id=session_id, _anchor=anchor))


@blueprint.post("/sessions/<session_id>/overrides")
@require(*REVIEWERS)
def override(session_id: str):
    _visible_detail(session_id)
    form = OverrideForm()
    form.dimension.choices = list(services().dimension_names().items())
    if form.validate_on_submit():
        try:
            services().review.add_override(
                session_id,
                current_user().id,
                form.dimension.data,
                form.score.data,
                form.reason.data,
            )
        except ReviewError as error:
            flash(str(error), "error")
        else:
            flash("分数修订已保存,自动评分仍保留可见。", "info")
    else:
        flash(first_error(form) or "修订没有保存,请重试。", "error")
    return redirect(url_for("trainer.transcript", session_id=session_id, _anchor="scores"))


@blueprint.get("/dashboard")
@require(*REVIEWERS)
def dashboard():
    app, user = services(), current_user()
    teams = app.accounts.teams()
    if user.role == ADMIN:
        team_id = request.args.get("team", type=int)
    else:
        team_id = user.team_id
        if team_id is None:
            flash("你还没有加入任何团队,请联系管理员。", "error")
            return render_template("dashboard.html", board=None, teams=[], team_id=None)
    board = app.review.dashboard(team_id)
    names = app.dimension_names()
    chart = charts.weekly(names, board.weeks) if board.weeks else None
    return render_template(
        "dashboard.html",
        board=board,
        names=names,
        tips=app.methodology.scoring.dimension_tips,
        chart=chart,
        teams=teams if user.role == ADMIN else [],
        team_id=team_id,
        team_name=next((team.name for team in teams if team.id == team_id), None),
    )
