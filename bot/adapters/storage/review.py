"""What trainers and reps read back: sessions filtered within the viewer's scope, one session's
transcript with its report, comments and score overrides, team dashboards, a rep's progress,
and rows for a CSV export.

Scope is decided here, in the queries, not by the pages: a rep sees his own sessions, a
trainer those of his team's members, an admin all of them. A trainer's override never
replaces the automatic score: both are kept, and the newest override of a dimension is the
score that counts in lists, dashboards and exports.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import mean

from sqlalchemy import and_, false, func, select
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import Select

from bot.adapters.storage.database import Database, as_utc
from bot.adapters.storage.records import transcript_query
from bot.adapters.storage.schema import (
    comments,
    roleplay_sessions,
    score_overrides,
    session_reports,
    teams,
    turn_assessments,
    turns,
    users,
)
from bot.clock import CHINA_TIME, utc_now
from bot.methodology import DIMENSIONS
from bot.scoring.contracts import Report

MAX_COMMENT_CHARS = 2000
MAX_REASON_CHARS = 1000
MAX_IN_LIST = 500


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
    overall: int | None
    rep_turns: int = 0
    comments: int = 0
    overridden: bool = False


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


@dataclass(frozen=True)
class ProgressPoint:
    session_id: str
    at: datetime
    overall: int
    dimensions: dict[str, int | None]


@dataclass(frozen=True)
class Week:
    starts: date  # Monday, China time
    sessions: int
    overall: float
    dimensions: dict[str, float | None]


@dataclass(frozen=True)
class Dashboard:
    sessions: int
    reps: int
    overall: float | None
    averages: dict[str, float | None]
    weakest: list[str]  # dimensions, weakest first
    weeks: list[Week]


@dataclass(frozen=True)
class ExportRow:
    session: SessionRow
    dimensions: dict[str, int | None]  # the scores that count (overrides applied)


class Review:
    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._now = clock

    # --- scope -------------------------------------------------------------------------

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
        if viewer.role == "admin" or row.user_id == viewer.user_id:
            return Access.ALLOWED
        if viewer.role == "trainer" and viewer.team_id is not None:
            return Access.ALLOWED if row.team_id == viewer.team_id else Access.FORBIDDEN
        return Access.FORBIDDEN

    # --- lists -------------------------------------------------------------------------

    def sessions(
        self, viewer: Viewer, where: SessionFilter, page: int = 1, per_page: int = 20
    ) -> SessionPage:
        """One page of the sessions the viewer may see, newest first; a page past the last
        (a typed ?page=99999999999999999999) is the last page."""
        query = _filtered(viewer, where)
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
            rep_turns = _counts(
                connection, turns, ids, turns.c.speaker == "rep", turns.c.undone_at.is_(None)
            )
            comment_counts = _counts(connection, comments, ids)
            overridden = _counts(connection, score_overrides, ids)
        return SessionPage(
            [
                _session_row(
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
            _filtered(viewer, where)
            .add_columns(session_reports.c.dimensions)
            .outerjoin(session_reports, session_reports.c.session_id == roleplay_sessions.c.id)
            .order_by(roleplay_sessions.c.started_at.desc(), roleplay_sessions.c.id.desc())
        )
        with self._database.transaction() as connection:
            rows = connection.execute(query).all()
            ids = [row.id for row in rows]
            rep_turns = _counts(
                connection, turns, ids, turns.c.speaker == "rep", turns.c.undone_at.is_(None)
            )
            latest = _latest_overrides(connection, ids)
        for row in rows:
            session = _session_row(
                row, rep_turns=rep_turns.get(row.id, 0), overridden=row.id in latest
            )
            yield ExportRow(session, _effective(row.dimensions, latest.get(row.id, {})))

    # --- one session -------------------------------------------------------------------

    def detail(self, session_id: str) -> SessionDetail | None:
        """Everything about one session (the caller has checked `access`)."""
        with self._database.transaction() as connection:
            row = connection.execute(
                _base_query().where(roleplay_sessions.c.id == session_id)
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
            _session_row(row), transcript, report, session_comments, dict(overrides)
        )

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
        """A trainer's score for one dimension, kept beside the automatic score."""
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
            return connection.execute(
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

    # --- the chat ----------------------------------------------------------------------

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
            _base_query()
            .where(
                roleplay_sessions.c.user_id == user_id,
                roleplay_sessions.c.conversation_id == conversation_id,
            )
            .order_by(roleplay_sessions.c.started_at.desc(), roleplay_sessions.c.id.desc())
            .limit(1)
        )
        with self._database.transaction() as connection:
            row = connection.execute(query).first()
        return _session_row(row) if row else None

    # --- progress and dashboards -------------------------------------------------------

    def progress(self, user_id: int) -> list[ProgressPoint]:
        """The user's finished sessions, oldest first, with the scores that count."""
        query = (
            select(
                roleplay_sessions.c.id,
                roleplay_sessions.c.started_at,
                session_reports.c.overall,
                session_reports.c.dimensions,
            )
            .join(session_reports, session_reports.c.session_id == roleplay_sessions.c.id)
            .where(roleplay_sessions.c.user_id == user_id)
            .order_by(roleplay_sessions.c.started_at, roleplay_sessions.c.id)
        )
        with self._database.transaction() as connection:
            rows = connection.execute(query).all()
            latest = _latest_overrides(connection, [row.id for row in rows])
        return [
            ProgressPoint(
                row.id,
                as_utc(row.started_at),
                row.overall,
                _effective(row[3], latest.get(row.id, {})),
            )
            for row in rows
        ]

    def dashboard(self, team_id: int | None, weeks: int = 12) -> Dashboard:
        """Averages per dimension, weakest skills and a weekly trend of a team's finished
        sessions (all teams when `team_id` is None; the caller checks the viewer's scope)."""
        query = (
            select(
                roleplay_sessions.c.id,
                roleplay_sessions.c.user_id,
                roleplay_sessions.c.started_at,
                session_reports.c.overall,
                session_reports.c.dimensions,
            )
            .join(session_reports, session_reports.c.session_id == roleplay_sessions.c.id)
            .join(users, users.c.id == roleplay_sessions.c.user_id)
        )
        if team_id is not None:
            query = query.where(users.c.team_id == team_id)
        with self._database.transaction() as connection:
            rows = connection.execute(query).all()
            latest = _latest_overrides(connection, [row.id for row in rows])
        scored = [(row, _effective(row.dimensions, latest.get(row.id, {}))) for row in rows]
        averages = _averages(dimensions for _row, dimensions in scored)
        observed = {key: value for key, value in averages.items() if value is not None}
        first_week = _monday(self._now()) - timedelta(weeks=weeks - 1)
        by_week: dict[date, list] = defaultdict(list)
        for row, dimensions in scored:
            monday = _monday(as_utc(row.started_at))
            if monday >= first_week:
                by_week[monday].append((row.overall, dimensions))
        trend = [
            Week(
                monday,
                len(items),
                round(mean(overall for overall, _dims in items), 1),
                _averages(dims for _overall, dims in items),
            )
            for monday, items in sorted(by_week.items())
        ]
        return Dashboard(
            sessions=len(rows),
            reps=len({row.user_id for row in rows}),
            overall=round(mean(row.overall for row in rows), 1) if rows else None,
            averages=averages,
            weakest=sorted(observed, key=lambda key: observed[key])[:3],
            weeks=trend,
        )


def _base_query() -> Select:
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
        )
        .join(users, users.c.id == roleplay_sessions.c.user_id)
        .outerjoin(teams, teams.c.id == users.c.team_id)
    )


def _filtered(viewer: Viewer, where: SessionFilter) -> Select:
    query = _base_query()
    if viewer.role == "rep":
        query = query.where(roleplay_sessions.c.user_id == viewer.user_id)
    elif viewer.role == "trainer":
        query = query.where(
            users.c.team_id == viewer.team_id if viewer.team_id is not None else false()
        )
    conditions = [
        (where.rep_id, lambda value: roleplay_sessions.c.user_id == value),
        (where.team_id, lambda value: users.c.team_id == value),
        (where.scenario_id, lambda value: roleplay_sessions.c.scenario_id == value),
        (where.persona, lambda value: roleplay_sessions.c.persona == value),
        (where.started_from, lambda value: roleplay_sessions.c.started_at >= _utc(value)),
        (where.started_before, lambda value: roleplay_sessions.c.started_at < _utc(value)),
        (where.score_min, lambda value: roleplay_sessions.c.overall >= value),
        (where.score_max, lambda value: roleplay_sessions.c.overall <= value),
    ]
    present = [condition(value) for value, condition in conditions if value is not None]
    return query.where(and_(*present)) if present else query


def _counts(connection: Connection, table, ids: list[str], *where) -> dict[str, int]:
    if not ids:
        return {}
    query = (
        select(table.c.session_id, func.count())
        .where(table.c.session_id.in_(ids), *where)
        .group_by(table.c.session_id)
    )
    return dict(connection.execute(query).all())


def _latest_overrides(connection: Connection, ids: list[str]) -> dict[str, dict[str, int]]:
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


def _effective(dimensions: dict | None, overrides: dict[str, int]) -> dict[str, int | None]:
    scores = dict(dimensions or {})
    scores.update(overrides)
    return {key: scores.get(key) for key in DIMENSIONS}


def _averages(rows: Iterable[dict[str, int | None]]) -> dict[str, float | None]:
    values: dict[str, list[int]] = {key: [] for key in DIMENSIONS}
    for dimensions in rows:
        for key in DIMENSIONS:
            score = dimensions.get(key)
            if score is not None:
                values[key].append(score)
    return {key: round(mean(found), 1) if found else None for key, found in values.items()}


def _session_row(
    row: Row, rep_turns: int = 0, comments: int = 0, overridden: bool = False
) -> SessionRow:
    """A row of `_base_query` (its columns read by name) as a SessionRow."""
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
        rep_turns=rep_turns,
        comments=comments,
        overridden=overridden,
    )


def _monday(moment: datetime) -> date:
    day = moment.astimezone(CHINA_TIME).date()
    return day - timedelta(days=day.weekday())


def _utc(moment: datetime) -> datetime:
    """Bounds compared in UTC, as written; SQLite keeps datetimes without their zone."""
    return moment.astimezone(UTC)
