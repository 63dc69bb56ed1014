"""What trainers and reps read back: sessions filtered within the viewer's scope, one session's
transcript with its report, comments and score overrides, team dashboards, a rep's progress,
and rows for a CSV export. One part per module; `Review` is all of them over one database.

Scope is decided here, in the queries, not by the pages: a rep sees his own sessions, a
trainer those of his team's members, an admin all of them. A trainer's override never
replaces the automatic score: both are kept, and the newest override of a dimension is the
score that counts in lists, dashboards and exports.
"""

from bot.adapters.storage.review.chat import Chat
from bot.adapters.storage.review.dashboards import Dashboards
from bot.adapters.storage.review.detail import Detail
from bot.adapters.storage.review.lists import Lists
from bot.adapters.storage.review.rows import (
    MAX_COMMENT_CHARS,
    MAX_REASON_CHARS,
    Access,
    Comment,
    Dashboard,
    ExportRow,
    NewTurnFeedback,
    Override,
    ProgressPoint,
    ReviewError,
    SessionDetail,
    SessionFilter,
    SessionPage,
    SessionRow,
    TranscriptTurn,
    Viewer,
    Week,
)
from bot.adapters.storage.review.scope import Scope
from bot.adapters.storage.review.writes import Writes


class Review(Scope, Lists, Detail, Writes, Chat, Dashboards):
    """Every read and write of the review, over one database."""


__all__ = [
    "MAX_COMMENT_CHARS",
    "MAX_REASON_CHARS",
    "Access",
    "Comment",
    "Dashboard",
    "ExportRow",
    "NewTurnFeedback",
    "Override",
    "ProgressPoint",
    "Review",
    "ReviewError",
    "SessionDetail",
    "SessionFilter",
    "SessionPage",
    "SessionRow",
    "TranscriptTurn",
    "Viewer",
    "Week",
]
