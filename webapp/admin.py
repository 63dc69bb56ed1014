"""Admin pages: users (create with a password, change role, team or password), teams, and
scenario uploads validated by the project's own scenario loader."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from bot.adapters.storage.accounts import AccountError
from bot.methodology.vocabulary import ADMIN
from bot.practice.scenarios import check_scenario_file
from webapp.auth import current_user, require
from webapp.forms import EditUserForm, NewUserForm, ScenarioUploadForm, TeamForm, first_error
from webapp.services import services

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _team_choices() -> list[tuple[str, str]]:
    return [("", "(无团队)")] + [(str(team.id), team.name) for team in services().accounts.teams()]


def _team_id(value: str | None) -> int | None:
    return int(value) if value else None


@blueprint.route("/users", methods=["GET", "POST"])
@require(ADMIN)
def users():
    accounts = services().accounts
    form = NewUserForm()
    form.team.choices = _team_choices()
    if form.validate_on_submit():
        try:
            accounts.create_user(
                form.username.data,
                form.display_name.data or "",
                form.password.data,
                form.role.data,
                _team_id(form.team.data),
            )
        except AccountError as error:
            flash(str(error), "error")
        else:
            flash(f"已创建用户“{form.username.data.strip()}”。", "info")
            return redirect(url_for("admin.users"))
    elif form.is_submitted():
        flash(first_error(form) or "用户没有创建,请检查后重试。", "error")
    edit_forms = {}
    for user in accounts.users():
        edit = EditUserForm(formdata=None, role=user.role, team=str(user.team_id or ""))
        edit.team.choices = form.team.choices
        edit_forms[user.id] = (user, edit)
    return render_template("admin_users.html", form=form, edit_forms=edit_forms.values())


@blueprint.post("/users/<int:user_id>")
@require(ADMIN)
def edit_user(user_id: int):
    accounts = services().accounts
    form = EditUserForm()
    form.team.choices = _team_choices()
    if not form.validate_on_submit():
        flash(first_error(form) or "修改没有保存,请重试。", "error")
        return redirect(url_for("admin.users"))
    if user_id == current_user().id and form.role.data != ADMIN:
        flash("不能取消自己的管理员角色,以免没有人能管理系统。", "error")
        return redirect(url_for("admin.users"))
    try:
        accounts.update_user(user_id, form.role.data, _team_id(form.team.data))
        if form.password.data:
            accounts.set_password(user_id, form.password.data)
            services().sign_ins.close_sessions_of(user_id)  # the old password's sessions end
    except AccountError as error:
        flash(str(error), "error")
    else:
        flash("修改已保存。", "info")
    return redirect(url_for("admin.users"))


@blueprint.route("/teams", methods=["GET", "POST"])
@require(ADMIN)
def teams():
    form = TeamForm()
    if form.validate_on_submit():
        try:
            services().accounts.create_team(form.name.data)
        except AccountError as error:
            flash(str(error), "error")
        else:
            flash(f"已创建团队“{form.name.data.strip()}”。", "info")
            return redirect(url_for("admin.teams"))
    elif form.is_submitted():
        flash(first_error(form) or "团队没有创建,请重试。", "error")
    return render_template("admin_teams.html", form=form, teams=services().accounts.teams())


@blueprint.route("/scenarios", methods=["GET", "POST"])
@require(ADMIN)
def scenarios():
    app = services()
    form = ScenarioUploadForm()
    errors: list[str] = []
    file_name = None
    if form.validate_on_submit():
        upload = form.file.data
        file_name = upload.filename or "未命名.yml"
        scenario, errors = check_scenario_file(app.methodology, file_name, upload.read())
        if scenario is not None and scenario.id in app.scenarios:
            errors = [f"{file_name}: id: 与内置场景“{scenario.id}”重名,请换一个 id 和文件名"]
        elif scenario is not None:
            upload.stream.seek(0)
            source = upload.read().decode("utf-8")
            new = app.uploads.save(scenario.id, scenario.name, source, current_user().id)
            flash(f"场景“{scenario.name}”已{'上传' if new else '更新'},校验通过。", "info")
            return redirect(url_for("admin.scenarios"))
    elif form.is_submitted():
        flash(first_error(form) or "上传失败,请重试。", "error")
    return render_template(
        "admin_scenarios.html",
        form=form,
        errors=errors,
        file_name=file_name,
        uploads=app.uploads.all(),
        builtin=app.scenarios.values(),
    )
