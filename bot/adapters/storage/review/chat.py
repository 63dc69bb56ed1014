"""What the web chat reads right after a message: the newest turn's assessment and session."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.adapters.storage.review.base import ReviewBase
from bot.adapters.storage.review.queries import (
    base_query,
    session_row,
)
from bot.adapters.storage.review.rows import (
    NewTurnFeedback,
    SessionRow,
)
from bot.adapters.storage.schema import (
    roleplay_sessions,
    turn_assessments,
    turns,
)


class Chat(ReviewBase):
    def newest_rep_turn_id(self, user_id: int) -> int:
        """The id of the user's newest rep turn (0 if none): remembered before a message is
        sent, so the assessment written for that message can be told apart afterwards."""
        query = (
            select(func.max(turns.c.id))
            .join(roleplay_sessions, roleplay_sessions.c.id == turns.c.session_id)
            .where(roleplay_sessions.c.user_id == user_id, turns.c.speaker == "rep")
        )
        with self._database.transaction() as connection:
            return connection.execute(query).scalar() or 0

    def feedback_after(self, user_id: int, turn_id: int) -> NewTurnFeedback | None:
        """The assessment of the user's newest rep turn if it is newer than `turn_id`."""
        query = (
            select(
                turns.c.id.label("turn_id"),
                turns.c.session_id,
                turns.c.text,
                turns.c.move,
                turns.c.also,
                turn_assessments.c.step,
                turn_assessments.c.changes,
                turn_assessments.c.feedback,
            )
            .join(turn_assessments, turn_assessments.c.turn_id == turns.c.id)
            .join(roleplay_sessions, roleplay_sessions.c.id == turns.c.session_id)
            .where(roleplay_sessions.c.user_id == user_id, turns.c.id > turn_id)
            .order_by(turns.c.id.desc())
            .limit(1)
        )
        with self._database.transaction() as connection:
            row = connection.execute(query).first()
        return NewTurnFeedback(**row._mapping) if row else None

    def latest_session(self, user_id: int, conversation_id: str) -> SessionRow | None:
        """The newest session of this conversation (the web chat), finished or not."""
        query = (
            base_query()
            .where(
                roleplay_sessions.c.user_id == user_id,
                roleplay_sessions.c.conversation_id == conversation_id,
            )
            .order_by(roleplay_sessions.c.started_at.desc(), roleplay_sessions.c.id.desc())
            .limit(1)
        )
        with self._database.transaction() as connection:
            row = connection.execute(query).first()
        return session_row(row) if row else None
