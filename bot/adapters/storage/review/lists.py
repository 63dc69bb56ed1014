"""The session list (one page, newest first) and the CSV export, within the viewer's scope."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from bot.adapters.storage.review.base import ReviewBase
from bot.adapters.storage.review.queries import (
    counts,
    effective,
    filtered,
    latest_overrides,
    session_row,
)
from bot.adapters.storage.review.rows import (
    ExportRow,
    SessionFilter,
    SessionPage,
    Viewer,
)
from bot.adapters.storage.schema import (
    comments,
    roleplay_sessions,
    score_overrides,
    session_reports,
    turns,
)


class Lists(ReviewBase):
    def sessions(
        self, viewer: Viewer, where: SessionFilter, page: int = 1, per_page: int = 20
    ) -> SessionPage:
        """One page of the sessions the viewer may see, newest first; a page past the last
        (a typed ?page=99999999999999999999) is the last page."""
        query = filtered(viewer, where)
        with self._database.transaction() as connection:
            total = connection.execute(
                select(func.count()).select_from(query.subquery())
            ).scalar_one()
            page = min(max(1, page), max(1, -(-total // per_page)))
            rows = connection.execute(
                query.order_by(roleplay_sessions.c.started_at.desc(), roleplay_sessions.c.id.desc())
                .limit(per_page)
                .offset((page - 1) * per_page)
            ).all()
            ids = [row.id for row in rows]
            rep_turns = counts(
                connection, turns, ids, turns.c.speaker == "rep", turns.c.undone_at.is_(None)
            )
            comment_counts = counts(connection, comments, ids)
            overridden = counts(connection, score_overrides, ids)
        return SessionPage(
            [
                session_row(
                    row,
                    rep_turns=rep_turns.get(row.id, 0),
                    comments=comment_counts.get(row.id, 0),
                    overridden=row.id in overridden,
                )
                for row in rows
            ],
            total,
            page,
            per_page,
        )

    def export(self, viewer: Viewer, where: SessionFilter) -> Iterator[ExportRow]:
        """Every session of the filtered list, newest first, with the scores that count."""
        query = (
            filtered(viewer, where)
            .add_columns(session_reports.c.dimensions)
            .outerjoin(session_reports, session_reports.c.session_id == roleplay_sessions.c.id)
            .order_by(roleplay_sessions.c.started_at.desc(), roleplay_sessions.c.id.desc())
        )
        with self._database.transaction() as connection:
            rows = connection.execute(query).all()
            ids = [row.id for row in rows]
            rep_turns = counts(
                connection, turns, ids, turns.c.speaker == "rep", turns.c.undone_at.is_(None)
            )
            latest = latest_overrides(connection, ids)
        for row in rows:
            session = session_row(
                row, rep_turns=rep_turns.get(row.id, 0), overridden=row.id in latest
            )
            yield ExportRow(session, effective(row.dimensions, latest.get(row.id, {})))
