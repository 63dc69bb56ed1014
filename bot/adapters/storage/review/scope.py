"""Who may open a session: a rep his own, a trainer his team's, an admin all."""

from __future__ import annotations

from sqlalchemy import select

from bot.adapters.storage.review.base import ReviewBase
from bot.adapters.storage.review.rows import (
    Access,
    Viewer,
)
from bot.adapters.storage.schema import (
    roleplay_sessions,
    users,
)
from bot.methodology.vocabulary import ADMIN, TRAINER


class Scope(ReviewBase):
    def access(self, viewer: Viewer, session_id: str) -> Access:
        query = (
            select(roleplay_sessions.c.user_id, users.c.team_id)
            .join(users, users.c.id == roleplay_sessions.c.user_id)
            .where(roleplay_sessions.c.id == session_id)
        )
        with self._database.transaction() as connection:
            row = connection.execute(query).first()
        if row is None:
            return Access.MISSING
        if viewer.role == ADMIN or row.user_id == viewer.user_id:
            return Access.ALLOWED
        if viewer.role == TRAINER and viewer.team_id is not None:
            return Access.ALLOWED if row.team_id == viewer.team_id else Access.FORBIDDEN
        return Access.FORBIDDEN
