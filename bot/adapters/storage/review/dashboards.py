"""A rep's progress over his sessions and a team's dashboard."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from statistics import mean

from sqlalchemy import select

from bot.adapters.storage.database import as_utc
from bot.adapters.storage.review.base import ReviewBase
from bot.adapters.storage.review.queries import (
    average_scores,
    counted_overall,
    effective,
    latest_overrides,
    week_of,
)
from bot.adapters.storage.review.rows import (
    Dashboard,
    ProgressPoint,
    Week,
)
from bot.adapters.storage.schema import (
    roleplay_sessions,
    session_reports,
    users,
)


class Dashboards(ReviewBase):
    def progress(self, user_id: int) -> list[ProgressPoint]:
        """The user's finished sessions, oldest first, with the scores that count."""
        query = (
            select(
                roleplay_sessions.c.id,
                roleplay_sessions.c.started_at,
                counted_overall().label("overall"),
                session_reports.c.dimensions,
            )
            .join(session_reports, session_reports.c.session_id == roleplay_sessions.c.id)
            .where(roleplay_sessions.c.user_id == user_id)
            .order_by(roleplay_sessions.c.started_at, roleplay_sessions.c.id)
        )
        with self._database.transaction() as connection:
            rows = connection.execute(query).all()
            latest = latest_overrides(connection, [row.id for row in rows])
        return [
            ProgressPoint(
                row.id,
                as_utc(row.started_at),
                row.overall,
                effective(row[3], latest.get(row.id, {})),
            )
            for row in rows
        ]

    def dashboard(self, team_id: int | None, weeks: int = 12) -> Dashboard:
        """Averages per dimension, weakest skills and a weekly trend of a team's finished
        sessions (all teams when `team_id` is None; the caller checks the viewer's scope).
        Overall averages are of the scores that count (trainers' corrections applied), each
        beside the automatic scores' average."""
        query = (
            select(
                roleplay_sessions.c.id,
                roleplay_sessions.c.user_id,
                roleplay_sessions.c.started_at,
                session_reports.c.overall.label("automatic"),
                counted_overall().label("overall"),
                session_reports.c.dimensions,
            )
            .join(session_reports, session_reports.c.session_id == roleplay_sessions.c.id)
            .join(users, users.c.id == roleplay_sessions.c.user_id)
        )
        if team_id is not None:
            query = query.where(users.c.team_id == team_id)
        with self._database.transaction() as connection:
            rows = connection.execute(query).all()
            latest = latest_overrides(connection, [row.id for row in rows])
        scored = [(row, effective(row.dimensions, latest.get(row.id, {}))) for row in rows]
        averages = average_scores(dimensions for _row, dimensions in scored)
        observed = {key: value for key, value in averages.items() if value is not None}
        first_week = week_of(self._now()) - timedelta(weeks=weeks - 1)
        by_week: dict[date, list] = defaultdict(list)
        for row, dimensions in scored:
            monday = week_of(as_utc(row.started_at))
            if monday >= first_week:
                by_week[monday].append((row, dimensions))
        trend = [
            Week(
                monday,
                len(items),
                _average(row.overall for row, _dims in items),
                average_scores(dims for _row, dims in items),
                automatic=_average(row.automatic for row, _dims in items),
            )
            for monday, items in sorted(by_week.items())
        ]
        return Dashboard(
            sessions=len(rows),
            reps=len({row.user_id for row in rows}),
            overall=_average(row.overall for row in rows) if rows else None,
            automatic_overall=_average(row.automatic for row in rows) if rows else None,
            averages=averages,
            weakest=sorted(observed, key=lambda key: observed[key])[:3],
            weeks=trend,
        )


def _average(values: Iterable[int]) -> float:
    return round(mean(values), 1)
