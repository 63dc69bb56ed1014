"""The forms (WTForms through Flask-WTF, so each carries its CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from bot.methodology.vocabulary import ROLE_NAMES, ROLES

ROLE_CHOICES = [(role, ROLE_NAMES[role]) for role in ROLES]


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码。")])


class CommentForm(FlaskForm):
    turn_id = HiddenField()
    text = TextAreaField("点评", validators=[DataRequired("点评内容不能为空。"), Length(max=2000)])


class OverrideForm(FlaskForm):
    dimension = SelectField("维度", validators=[DataRequired()])
    score = IntegerField(
        "修订后的分数",
        validators=[
            InputRequired("请填写分数。"),
            NumberRange(0, 100, "分数必须在 0 到 100 之间。"),
        ],
    )
    reason = TextAreaField("理由", validators=[DataRequired("请写明修订理由。"), Length(max=1000)])


class FilterForm(FlaskForm):
    """The session list's filters: a GET form, bookmarkable, so it carries no CSRF token."""

    class Meta:
        csrf = False

    rep = SelectField("学员", coerce=str, validators=[Optional()])
    team = SelectField("团队", coerce=str, validators=[Optional()])
    scenario = SelectField("场景", coerce=str, validators=[Optional()])
    persona = SelectField("客户性格", coerce=str, validators=[Optional()])
    date_from = DateField("开始日期", validators=[Optional()])
    date_to = DateField("结束日期", validators=[Optional()])
    score_min = IntegerField("最低分", validators=[Optional(), NumberRange(0, 100)])
    score_max = IntegerField("最高分", validators=[Optional(), NumberRange(0, 100)])


class NewUserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名。"), Length(max=120)])
    display_name = StringField("显示名称", validators=[Optional(), Length(max=120)])
    password = PasswordField(
        "初始密码", validators=[DataRequired("请设置初始密码。"), Length(min=8, max=200)]
    )
    role = SelectField("角色", choices=ROLE_CHOICES)
    team = SelectField("团队", coerce=str)


class EditUserForm(FlaskForm):
    role = SelectField("角色", choices=ROLE_CHOICES)
    team = SelectField("团队", coerce=str)
    password = PasswordField(
        "重设密码(留空则不变)", validators=[Optional(), Length(min=8, max=200)]
    )


class TeamForm(FlaskForm):
    name = StringField("团队名称", validators=[DataRequired("请输入团队名称。"), Length(max=80)])


class ScenarioUploadForm(FlaskForm):
    file = FileField("场景文件(.yml)", validators=[FileRequired("请选择一个 YAML 文件。")])


def first_error(form: FlaskForm) -> str | None:
    """The first validation message, to show in a flash after a redirect."""
    for errors in form.errors.values():
        if errors:
            return str(errors[0])
    return None
