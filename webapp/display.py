"""How values look on the pages: China time, scenario, persona, role and move names, people
with their team, score colours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from flask import Flask, g

from bot.clock import CHINA_TIME
from bot.methodology.vocabulary import ROLE_NAMES
from webapp.services import services


def china_time(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(CHINA_TIME).strftime(pattern) if moment else ""


def score_class(score: float | None) -> str:
    """A CSS class, so a glance finds the weak spots."""
    if score is None:
        return "score-none"
    return "score-good" if score >= 75 else "score-ok" if score >= 60 else "score-weak"


def without_team(name: str, team: str | None) -> str:
    """A person's name without his team in brackets at its end: names typed as
    "李销售(华东一组)" (demo users made before had them) are shown with the team once."""
    if team:
        for opening, closing in (("(", ")"), ("(", ")")):
            suffix = f"{opening}{team}{closing}"
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)].rstrip()
    return name


def with_team(name: str, team: str | None) -> str:
    """The name with the team once, as in 李销售(华东一组)."""
    plain = without_team(name, team)
    return f"{plain}({team})" if team else plain


UNRECOGNISED = "未识别"


def move_label(names: Mapping[str, str], move: str | None, also: Iterable[str] | None = ()) -> str:
    """The moves of a rep's line by their Chinese names (moves.yml), never an intent's raw
    name: a line the NLU took for something other than a move to the customer (a coach
    command such as end_roleplay, a fallback) is 未识别 (and its confidence means nothing)."""
    said = [name for name in dict.fromkeys([move or "", *(also or [])]) if name in names]
    return " + ".join(names[name] for name in said) if said else UNRECOGNISED


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        china_time=china_time,
        score_class=score_class,
        scenario_name=lambda value: services().scenario_name(value),
        persona_name=lambda value: services().persona_name(value),
        role_name=lambda value: ROLE_NAMES.get(value, value),
        without_team=without_team,
        with_team=with_team,
    )
    app.jinja_env.globals.update(move_label=move_label)

    @app.context_processor
    def signed_in() -> dict:
        return {"user": g.get("user")}
