"""What the review queries give back: the viewer and his filter, the rows of lists, one
session in detail, dashboards; and the limits on what trainers write."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.scoring.contracts import Report

MAX_COMMENT_CHARS = 2000
MAX_REASON_CHARS = 1000


class ReviewError(ValueError):
    """Input the review cannot accept; the message is shown to the trainer as is."""


class Access(enum.Enum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"
    MISSING = "missing"


@dataclass(frozen=True)
class Viewer:
    user_id: int
    role: str
    team_id: int | None


@dataclass(frozen=True)
class SessionFilter:
    rep_id: int | None = None
    team_id: int | None = None
    scenario_id: str | None = None
    persona: str | None = None
    started_from: datetime | None = None  # inclusive
    started_before: datetime | None = None  # exclusive
    score_min: int | None = None
    score_max: int | None = None


@dataclass(frozen=True)
class SessionRow:
    id: str
    started_at: datetime
    ended_at: datetime | None
    user_id: int
    rep_name: str
    team_id: int | None
    team_name: str | None
    scenario_id: str
    persona: str
    outcome: str | None
    overall: int | None  # the automatic score
    revised_overall: int | None = None  # with the trainers' corrections; None: none made
    rep_turns: int = 0
    comments: int = 0
    overridden: bool = False

    @property
    def counted_overall(self) -> int | None:
        """The overall that counts: the revised one if a trainer corrected a dimension."""
        return self.overall if self.revised_overall is None else self.revised_overall


@dataclass(frozen=True)
class SessionPage:
    rows: list[SessionRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Comment:
    id: int
    turn_id: int | None
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class Override:
    id: int
    dimension: str
    automatic: int | None
    score: int
    reason: str
    author: str
    created_at: datetime


@dataclass
class TranscriptTurn:
    id: int
    position: int
    speaker: str
    text: str
    move: str | None
    confidence: float | None
    step: str | None
    changes: dict[str, int] | None
    feedback: str | None
    also: list[str] | None = None  # further moves the line's clauses carry
    objection: str | None = None  # a customer line: the objection type it raises ("" none)
    undone: bool = False  # taken back by the rep: shown, not scored
    comments: list[Comment] = field(default_factory=list)


@dataclass
class SessionDetail:
    session: SessionRow
    turns: list[TranscriptTurn]
    report: Report | None
    comments: list[Comment]  # about the whole session
    overrides: dict[str, list[Override]]  # per dimension, oldest first

    def score(self, dimension: str) -> int | None:
        """The score that counts: the newest override, else the automatic one."""
        if self.overrides.get(dimension):
            return self.overrides[dimension][-1].score
        if self.report is None:
            return None
        value = self.report["dimensions"][dimension]
        return value["score"] if value["observed"] else None


@dataclass(frozen=True)
class NewTurnFeedback:
    """The assessment of a rep's newest turn, read right after the action server wrote it."""

    turn_id: int
    session_id: str
    text: str
    move: str | None
    step: str | None
    changes: dict[str, int]
    feedback: str
    also: list[str] | None = None


@dataclass(frozen=True)
class ProgressPoint:
    session_id: str
    at: datetime
    overall: int  # the overall that counts (a trainer's corrections applied)
    dimensions: dict[str, int | None]


@dataclass(frozen=True)
class Week:
    starts: date  # Monday, China time
    sessions: int
    overall: float  # of the overalls that count (trainers' corrections applied)
    dimensions: dict[str, float | None]
    automatic: float | None = None  # of the automatic overalls


@dataclass(frozen=True)
class Dashboard:
    sessions: int
    reps: int
    overall: float | None  # average of the overalls that count (corrections applied)
    automatic_overall: float | None  # average of the automatic overalls
    averages: dict[str, float | None]
    weakest: list[str]  # dimensions, weakest first
    weeks: list[Week]


@dataclass(frozen=True)
class ExportRow:
    session: SessionRow
    dimensions: dict[str, int | None]  # the scores that count (overrides applied)
