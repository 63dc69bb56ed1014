"""How values look on the pages: China time, scenario, persona and role names, score colours."""

from __future__ import annotations

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


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        china_time=china_time,
        score_class=score_class,
        scenario_name=lambda value: services().scenario_name(value),
        persona_name=lambda value: services().persona_name(value),
        role_name=lambda value: ROLE_NAMES.get(value, value),
    )

    @app.context_processor
    def signed_in() -> dict:
        return {"user": g.get("user")}
