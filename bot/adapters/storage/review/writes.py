"""What trainers write beside the automatic scores: comments and score overrides."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.adapters.storage.review.base import ReviewBase
from bot.adapters.storage.review.queries import effective, latest_overrides
from bot.adapters.storage.review.rows import (
    MAX_COMMENT_CHARS,
    MAX_REASON_CHARS,
    ReviewError,
)
from bot.adapters.storage.schema import (
    comments,
    roleplay_sessions,
    score_overrides,
    session_reports,
    turns,
)
from bot.methodology import DIMENSIONS
from bot.scoring.overall import weighted_overall


class Writes(ReviewBase):
    def add_comment(self, session_id: str, author_id: int, text: str, turn_id: int | None) -> int:
        text = text.strip()
        if not text:
            raise ReviewError("点评内容不能为空。")
        if len(text) > MAX_COMMENT_CHARS:
            raise ReviewError(f"点评最多 {MAX_COMMENT_CHARS} 个字。")
        with self._database.transaction() as connection:
            if turn_id is not None:
                owner = connection.execute(
                    select(turns.c.session_id).where(turns.c.id == turn_id)
                ).scalar()
                if owner != session_id:
                    raise ReviewError("这句话不属于这场对练。")
            return connection.execute(
                comments.insert().values(
                    session_id=session_id,
                    turn_id=turn_id,
                    author_id=author_id,
                    text=text,
                    created_at=self._now(),
                )
            ).inserted_primary_key[0]

    def add_override(
        self, session_id: str, author_id: int, dimension: str, score: int, reason: str
    ) -> int:
        """A trainer's score for one dimension, kept beside the automatic score; the session's
        revised overall is the weighted mean of the scores that now count."""
        reason = reason.strip()
        if dimension not in DIMENSIONS:
            raise ReviewError("未知的评分维度。")
        if not 0 <= score <= 100:
            raise ReviewError("分数必须在 0 到 100 之间。")
        if not reason:
            raise ReviewError("请写明修订理由,学员和其他培训师都会看到。")
        if len(reason) > MAX_REASON_CHARS:
            raise ReviewError(f"理由最多 {MAX_REASON_CHARS} 个字。")
        with self._database.transaction() as connection:
            dimensions = connection.execute(
                select(session_reports.c.dimensions).where(
                    session_reports.c.session_id == session_id
                )
            ).scalar()
            if dimensions is None:
                raise ReviewError("这场对练还没有结束,没有可修订的分数。")
            override_id = connection.execute(
                score_overrides.insert().values(
                    session_id=session_id,
                    dimension=dimension,
                    automatic=dimensions.get(dimension),
                    score=score,
                    reason=reason,
                    author_id=author_id,
                    created_at=self._now(),
                )
            ).inserted_primary_key[0]
            counting = effective(dimensions, latest_overrides(connection, [session_id])[session_id])
            connection.execute(
                update(roleplay_sessions)
                .where(roleplay_sessions.c.id == session_id)
                .values(revised_overall=weighted_overall(self._weights, counting))
            )
            return override_id
