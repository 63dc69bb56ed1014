"""The query pieces every part of the review shares: the session row and its scope, counts
per session, the overrides that count, averages and weeks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from statistics import mean

from sqlalchemy import and_, false, func, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import Select

from bot.adapters.storage.database import as_utc
from bot.adapters.storage.review.rows import SessionFilter, SessionRow, Viewer
from bot.adapters.storage.schema import (
    roleplay_sessions,
    score_overrides,
    teams,
    users,
)
from bot.clock import CHINA_TIME
from bot.methodology import DIMENSIONS
from bot.methodology.vocabulary import REP, TRAINER

MAX_IN_LIST = 500  # longer id lists read all overrides instead of one huge IN list


def base_query() -> Select:
    return (
        select(
            roleplay_sessions.c.id,
            roleplay_sessions.c.started_at,
            roleplay_sessions.c.ended_at,
            roleplay_sessions.c.user_id,
            users.c.display_name.label("rep_name"),
            users.c.team_id,
            teams.c.name.label("team_name"),
            roleplay_sessions.c.scenario_id,
            roleplay_sessions.c.persona,
            roleplay_sessions.c.outcome,
            roleplay_sessions.c.overall,
            roleplay_sessions.c.revised_overall,
        )
        .join(users, users.c.id == roleplay_sessions.c.user_id)
        .outerjoin(teams, teams.c.id == users.c.team_id)
    )


def filtered(viewer: Viewer, where: SessionFilter) -> Select:
    query = base_query()
    if viewer.role == REP:
        query = query.where(roleplay_sessions.c.user_id == viewer.user_id)
    elif viewer.role == TRAINER:
        query = query.where(
            users.c.team_id == viewer.team_id if viewer.team_id is not None else false()
        )
    conditions = [
        (where.rep_id, lambda value: roleplay_sessions.c.user_id == value),
        (where.team_id, lambda value: users.c.team_id == value),
        (where.scenario_id, lambda value: roleplay_sessions.c.scenario_id == value),
        (where.persona, lambda value: roleplay_sessions.c.persona == value),
        (where.started_from, lambda value: roleplay_sessions.c.started_at >= utc(value)),
        (where.started_before, lambda value: roleplay_sessions.c.started_at < utc(value)),
        (where.score_min, lambda value: counted_overall() >= value),
        (where.score_max, lambda value: counted_overall() <= value),
    ]
    present = [condition(value) for value, condition in conditions if value is not None]
    return query.where(and_(*present)) if present else query


def counted_overall():
    """The overall that counts: the revised one where a trainer corrected a dimension."""
    return func.coalesce(roleplay_sessions.c.revised_overall, roleplay_sessions.c.overall)


def counts(connection: Connection, table, ids: list[str], *where) -> dict[str, int]:
    if not ids:
        return {}
    query = (
        select(table.c.session_id, func.count())
        .where(table.c.session_id.in_(ids), *where)
        .group_by(table.c.session_id)
    )
    return dict(connection.execute(query).all())


def latest_overrides(connection: Connection, ids: list[str]) -> dict[str, dict[str, int]]:
    """session id -> dimension -> the newest override's score."""
    latest: dict[str, dict[str, int]] = defaultdict(dict)
    if not ids:
        return latest
    query = select(
        score_overrides.c.session_id, score_overrides.c.dimension, score_overrides.c.score
    ).order_by(score_overrides.c.created_at, score_overrides.c.id)
    if len(ids) <= MAX_IN_LIST:
        query = query.where(score_overrides.c.session_id.in_(ids))
    # Few sessions carry overrides: for long lists, reading them all beats a huge IN list.
    wanted = set(ids)
    for session_id, dimension, score in connection.execute(query):
        if session_id in wanted:
            latest[session_id][dimension] = score
    return latest


def effective(dimensions: dict | None, overrides: dict[str, int]) -> dict[str, int | None]:
    scores = dict(dimensions or {})
    scores.update(overrides)
    return {key: scores.get(key) for key in DIMENSIONS}


def average_scores(rows: Iterable[dict[str, int | None]]) -> dict[str, float | None]:
    values: dict[str, list[int]] = {key: [] for key in DIMENSIONS}
    for dimensions in rows:
        for key in DIMENSIONS:
            score = dimensions.get(key)
            if score is not None:
                values[key].append(score)
    return {key: round(mean(found), 1) if found else None for key, found in values.items()}


def session_row(
    row: Row, rep_turns: int = 0, comments: int = 0, overridden: bool = False
) -> SessionRow:
    """A row of `base_query` (its columns read by name) as a SessionRow."""
    return SessionRow(
        id=row.id,
        started_at=as_utc(row.started_at),
        ended_at=as_utc(row.ended_at) if row.ended_at else None,
        user_id=row.user_id,
        rep_name=row.rep_name,
        team_id=row.team_id,
        team_name=row.team_name,
        scenario_id=row.scenario_id,
        persona=row.persona,
        outcome=row.outcome,
        overall=row.overall,
        revised_overall=row.revised_overall,
        rep_turns=rep_turns,
        comments=comments,
        overridden=overridden,
    )


def week_of(moment: datetime) -> date:
    day = moment.astimezone(CHINA_TIME).date()
    return day - timedelta(days=day.weekday())


def utc(moment: datetime) -> datetime:
    """Bounds compared in UTC, as written; SQLite keeps datetimes without their zone."""
    return moment.astimezone(UTC)
