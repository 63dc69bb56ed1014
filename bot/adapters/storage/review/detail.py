"""One session in full: transcript with assessments, report, comments and overrides."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from bot.adapters.storage.database import as_utc
from bot.adapters.storage.records import transcript_query
from bot.adapters.storage.review.base import ReviewBase
from bot.adapters.storage.review.queries import (
    base_query,
    session_row,
)
from bot.adapters.storage.review.rows import (
    Comment,
    Override,
    SessionDetail,
    TranscriptTurn,
)
from bot.adapters.storage.schema import (
    comments,
    roleplay_sessions,
    score_overrides,
    session_reports,
    users,
)


class Detail(ReviewBase):
    def detail(self, session_id: str) -> SessionDetail | None:
        """Everything about one session (the caller has checked `access`)."""
        with self._database.transaction() as connection:
            row = connection.execute(
                base_query().where(roleplay_sessions.c.id == session_id)
            ).first()
            if row is None:
                return None
            turn_rows = connection.execute(transcript_query(session_id)).all()
            report = connection.execute(
                select(session_reports.c.report).where(session_reports.c.session_id == session_id)
            ).scalar()
            comment_rows = connection.execute(
                select(
                    comments.c.id,
                    comments.c.turn_id,
                    users.c.display_name,
                    comments.c.text,
                    comments.c.created_at,
                )
                .join(users, users.c.id == comments.c.author_id)
                .where(comments.c.session_id == session_id)
                .order_by(comments.c.created_at, comments.c.id)
            ).all()
            override_rows = connection.execute(
                select(
                    score_overrides.c.id,
                    score_overrides.c.dimension,
                    score_overrides.c.automatic,
                    score_overrides.c.score,
                    score_overrides.c.reason,
                    users.c.display_name,
                    score_overrides.c.created_at,
                )
                .join(users, users.c.id == score_overrides.c.author_id)
                .where(score_overrides.c.session_id == session_id)
                .order_by(score_overrides.c.created_at, score_overrides.c.id)
            ).all()
        transcript = [TranscriptTurn(**turn._mapping) for turn in turn_rows]
        by_turn = {turn.id: turn for turn in transcript}
        session_comments = []
        for comment_row in comment_rows:
            comment = Comment(
                id=comment_row.id,
                turn_id=comment_row.turn_id,
                author=comment_row.display_name,
                text=comment_row.text,
                created_at=as_utc(comment_row.created_at),
            )
            if comment.turn_id in by_turn:
                by_turn[comment.turn_id].comments.append(comment)
            else:
                session_comments.append(comment)
        overrides: dict[str, list[Override]] = defaultdict(list)
        for override_row in override_rows:
            override = Override(
                id=override_row.id,
                dimension=override_row.dimension,
                automatic=override_row.automatic,
                score=override_row.score,
                reason=override_row.reason,
                author=override_row.display_name,
                created_at=as_utc(override_row.created_at),
            )
            overrides[override.dimension].append(override)
        return SessionDetail(
            session_row(row), transcript, report, session_comments, dict(overrides)
        )
