"""Reading and writing the records: users by channel identity, role-play sessions turn by
turn, reports, quiz rounds, and each rep's history for progress.

Every write is idempotent: an action retried by Rasa (or a WeCom callback delivered twice)
writes the same rows once, so a turn is never stored or counted twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Table, func, literal, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from bot.adapters.storage.database import Database, as_utc
from bot.adapters.storage.schema import (
    identities,
    quiz_rounds,
    roleplay_sessions,
    session_reports,
    teams,
    turn_assessments,
    turns,
    users,
)
from bot.clock import utc_now
from bot.methodology.vocabulary import REP
from bot.practice.history import QuizRecord, RolePlayRecord
from bot.practice.roleplay import RolePlayState
from bot.scoring.contracts import Report, StoredTurn

DEFAULT_TEAM = "默认团队"


@dataclass(frozen=True)
class NewSession:
    id: str
    user_id: int
    conversation_id: str
    channel: str
    scenario_id: str
    persona: str
    seed: int


class RolePlayRef(TypedDict):
    """Where a role-play stands in the store: what the conversation's `roleplay` slot holds
    instead of the role-play itself, the same few bytes however long the visit."""

    id: str  # the session
    turns: int  # its live turns so far: the rep's next line goes at this position
    last: int | None  # the row of the last of them (None: a slot from before migration 0009)


class Storage:
    def __init__(self, database: Database, clock: Callable[[], datetime] = utc_now) -> None:
        self._database = database
        self._now = clock

    # --- users -------------------------------------------------------------------------

    def rep_for(self, channel: str, external_id: str, display_name: str | None = None) -> int:
        """The user behind a channel identity; a rep in the default team on first contact."""
        with self._database.transaction() as connection:
            found = identity_owner(connection, channel, external_id)
            if found is not None:
                return found
            team_id = self._default_team(connection)
            username = f"{channel}:{external_id}"
            try:
                with connection.begin_nested():
                    user_id = connection.execute(
                        users.insert().values(
                            username=username,
                            display_name=display_name or external_id,
                            role=REP,
                            team_id=team_id,
                            created_at=self._now(),
                        )
                    ).inserted_primary_key[0]
                    connection.execute(
                        identities.insert().values(
                            channel=channel,
                            external_id=external_id,
                            user_id=user_id,
                            created_at=self._now(),
                        )
                    )
            except IntegrityError:  # created by a concurrent first message
                found = identity_owner(connection, channel, external_id)
                if found is None:
                    raise
                return found
            return user_id

    def _default_team(self, connection: Connection) -> int:
        values = {"name": DEFAULT_TEAM, "created_at": self._now()}
        _insert_once(connection, teams, values, key=("name",))
        return connection.execute(
            select(teams.c.id).where(teams.c.name == DEFAULT_TEAM)
        ).scalar_one()

    # --- role-plays --------------------------------------------------------------------

    def start_roleplay(
        self,
        session: NewSession,
        opening: StoredTurn | None = None,
        customer_state: dict[str, Any] | None = None,
    ) -> int | None:
        """The session and, if given, the customer's first line (with his state after it), in
        one transaction: a session is never left without the line the rep was shown. Returns
        that line's row (also when a retried start wrote nothing)."""
        with self._database.transaction() as connection:
            inserted = _insert_once(
                connection,
                roleplay_sessions,
                {
                    "id": session.id,
                    "user_id": session.user_id,
                    "conversation_id": session.conversation_id,
                    "channel": session.channel,
                    "scenario_id": session.scenario_id,
                    "persona": session.persona,
                    "seed": session.seed,
                    "started_at": self._now(),
                },
                key=("id",),
            )
            if opening is None:
                return None
            if inserted is None:
                return _live_row(connection, session.id, 0)
            return connection.execute(
                turns.insert().values(
                    session_id=session.id,
                    position=0,
                    speaker=opening["speaker"],
                    text=opening["text"],
                    objection=opening.get("objection"),
                    customer_state=customer_state,
                    created_at=self._now(),
                )
            ).inserted_primary_key[0]

    def record_exchange(
        self,
        session_id: str,
        position: int,
        turn_pair: list[StoredTurn],
        assessment: dict | None,
        customer_state: dict[str, Any] | None = None,
    ) -> int:
        """The rep's turn at `position` (with its assessment) and the customer's answer after
        it (with his state after it), in one transaction; returns the row of the last turn.

        The same line again at the same position is a retry and changes nothing. A different
        line there means the conversation was rolled back (the rep's /back, or a turn whose
        answer never reached him): the old line and everything after it are marked undone,
        kept for the trainer but never scored, and the new one takes the position.
        """
        try:
            return self._record_exchange(
                session_id, position, turn_pair, assessment, customer_state
            )
        except IntegrityError:  # the same turn written by a concurrent retry
            return self._record_exchange(
                session_id, position, turn_pair, assessment, customer_state
            )

    def _record_exchange(
        self,
        session_id: str,
        position: int,
        turn_pair: list[StoredTurn],
        assessment: dict | None,
        customer_state: dict[str, Any] | None,
    ) -> int:
        last = position + len(turn_pair) - 1
        with self._database.transaction() as connection:
            first = connection.execute(
                select(turns.c.speaker, turns.c.text)
                .where(
                    turns.c.session_id == session_id,
                    turns.c.position >= position,
                    turns.c.undone_at.is_(None),
                )
                .order_by(turns.c.position)
                .limit(1)
            ).first()
            if first is not None:
                if tuple(first) == (turn_pair[0]["speaker"], turn_pair[0]["text"]):
                    return _live_row(connection, session_id, last)
                _undo(connection, session_id, position, self._now())
            turn_id = 0
            for offset, turn in enumerate(turn_pair):
                customer = turn["speaker"] == "customer" and position + offset == last
                turn_id = connection.execute(
                    turns.insert().values(
                        session_id=session_id,
                        position=position + offset,
                        speaker=turn["speaker"],
                        text=turn["text"],
                        move=turn.get("move"),
                        confidence=turn.get("confidence"),
                        also=turn.get("also") or None,
                        objection=turn.get("objection"),
                        customer_state=customer_state if customer else None,
                        created_at=self._now(),
                    )
                ).inserted_primary_key[0]
                if turn["speaker"] == "rep" and assessment is not None:
                    connection.execute(
                        turn_assessments.insert().values(turn_id=turn_id, **assessment)
                    )
            return turn_id

    def record_opening(self, session_id: str, turn: StoredTurn) -> None:
        """The customer's first line, said before the rep speaks."""
        self.record_exchange(session_id, 0, [turn], None)

    def undo_from(self, session_id: str, position: int) -> None:
        """Mark the session's live turns from `position` on as undone (the rep took them back)."""
        with self._database.transaction() as connection:
            _undo(connection, session_id, position, self._now())

    def live_turns(self, session_id: str) -> list[StoredTurn]:
        """The turns that count, in order, as the scorer reads them: what the report of a
        session is computed from, so the transcript a trainer reads and the scores agree."""
        query = (
            select(*_SCORED_COLUMNS)
            .where(turns.c.session_id == session_id, turns.c.undone_at.is_(None))
            .order_by(turns.c.position)
        )
        with self._database.transaction() as connection:
            rows = connection.execute(query).all()
        return [_stored_turn(row) for row in rows]

    def roleplay_at(self, ref: RolePlayRef, conversation_id: str) -> RolePlayState | None:
        """The role-play `ref` points at, read from the store: the session's live turns
        before `ref["turns"]` and the customer's state after the last of them. None unless
        the session belongs to `conversation_id` and those turns are exactly what the
        reference says (a forged or stale slot value reads nothing)."""
        with self._database.transaction() as connection:
            session = connection.execute(
                select(
                    roleplay_sessions.c.scenario_id,
                    roleplay_sessions.c.persona,
                    roleplay_sessions.c.seed,
                ).where(
                    roleplay_sessions.c.id == ref["id"],
                    roleplay_sessions.c.conversation_id == conversation_id,
                )
            ).first()
            if session is None:
                return None
            rows = connection.execute(
                select(*_SCORED_COLUMNS, turns.c.id, turns.c.position, turns.c.customer_state)
                .where(
                    turns.c.session_id == ref["id"],
                    turns.c.position >= 0,
                    turns.c.position < ref["turns"],
                    turns.c.undone_at.is_(None),
                )
                .order_by(turns.c.position)
            ).all()
        if not rows or [row.position for row in rows] != list(range(ref["turns"])):
            return None
        if rows[-1].customer_state is None:
            return None
        if ref["last"] is not None and rows[-1].id != ref["last"]:
            return None
        return {
            "id": ref["id"],
            "scenario": session.scenario_id,
            "persona": session.persona,
            "seed": session.seed,
            "customer": rows[-1].customer_state,
            "turns": [_stored_turn(row) for row in rows],
        }

    def finish_roleplay(self, session_id: str, outcome: str, report: Report) -> None:
        """Outcome, overall score and the full report; the first finish wins."""
        dimensions = {
            key: (value["score"] if value["observed"] else None)
            for key, value in report["dimensions"].items()
        }
        with self._database.transaction() as connection:
            inserted = _insert_once(
                connection,
                session_reports,
                {
                    "session_id": session_id,
                    "overall": report["overall"],
                    "dimensions": dimensions,
                    "report": report,
                    "created_at": self._now(),
                },
                key=("session_id",),
            )
            if inserted is not None:
                connection.execute(
                    update(roleplay_sessions)
                    .where(roleplay_sessions.c.id == session_id)
                    .values(ended_at=self._now(), outcome=outcome, overall=report["overall"])
                )

    def close_roleplay(self, session_id: str, outcome: str) -> None:
        """End a session the rep left before saying anything to the customer (a new role-play
        or a restart): no report, but no longer in progress either."""
        with self._database.transaction() as connection:
            connection.execute(
                update(roleplay_sessions)
                .where(roleplay_sessions.c.id == session_id, roleplay_sessions.c.ended_at.is_(None))
                .values(ended_at=self._now(), outcome=outcome)
            )

    def transcript(self, session_id: str) -> list[dict]:
        """The session's turns in order, each rep turn with its stored assessment."""
        with self._database.transaction() as connection:
            return [dict(row._mapping) for row in connection.execute(transcript_query(session_id))]

    # --- quizzes -----------------------------------------------------------------------

    def record_quiz(self, round_id: str, user_id: int, answers: list[dict]) -> None:
        if not answers:
            return
        with self._database.transaction() as connection:
            _insert_once(
                connection,
                quiz_rounds,
                {
                    "id": round_id,
                    "user_id": user_id,
                    "answered": len(answers),
                    "correct": sum(1 for answer in answers if answer["correct"]),
                    "answers": answers,
                    "finished_at": self._now(),
                },
                key=("id",),
            )

    # --- history -----------------------------------------------------------------------

    def roleplay_history(self, user_id: int) -> list[RolePlayRecord]:
        """The user's finished role-plays, oldest first."""
        rep_turns = (
            select(turns.c.session_id, func.count().label("count"))
            .where(turns.c.speaker == "rep", turns.c.undone_at.is_(None))
            .group_by(turns.c.session_id)
            .subquery()
        )
        query = (
            select(
                roleplay_sessions.c.ended_at,
                roleplay_sessions.c.scenario_id,
                roleplay_sessions.c.persona,
                roleplay_sessions.c.outcome,
                session_reports.c.overall,
                session_reports.c.dimensions,
                func.coalesce(rep_turns.c.count, 0),
            )
            .join(session_reports, session_reports.c.session_id == roleplay_sessions.c.id)
            .outerjoin(rep_turns, rep_turns.c.session_id == roleplay_sessions.c.id)
            .where(roleplay_sessions.c.user_id == user_id)
            .order_by(roleplay_sessions.c.ended_at, roleplay_sessions.c.id)
        )
        with self._database.transaction() as connection:
            return [RolePlayRecord(as_utc(row[0]), *row[1:]) for row in connection.execute(query)]

    def quiz_history(self, user_id: int) -> list[QuizRecord]:
        query = (
            select(quiz_rounds.c.finished_at, quiz_rounds.c.answered, quiz_rounds.c.correct)
            .where(quiz_rounds.c.user_id == user_id)
            .order_by(quiz_rounds.c.finished_at)
        )
        with self._database.transaction() as connection:
            return [QuizRecord(as_utc(row[0]), *row[1:]) for row in connection.execute(query)]


# What the scorer reads of a turn (`_stored_turn`), in the live turns and the transcript alike.
_SCORED_COLUMNS = (
    turns.c.speaker,
    turns.c.text,
    turns.c.move,
    turns.c.confidence,
    turns.c.also,
    turns.c.objection,
)


def transcript_query(session_id: str) -> Select:
    """A session's turns in the order they were said, each rep turn with its stored
    assessment (None otherwise); undone turns are flagged and come before what replaced them."""
    return (
        select(
            turns.c.id,
            turns.c.position,
            *_SCORED_COLUMNS,
            turn_assessments.c.step,
            turn_assessments.c.changes,
            turn_assessments.c.feedback,
            turns.c.undone_at.is_not(None).label("undone"),
        )
        .outerjoin(turn_assessments, turn_assessments.c.turn_id == turns.c.id)
        .where(turns.c.session_id == session_id)
        .order_by(turns.c.id)  # as they happened: an undone stretch, then what replaced it
    )


def _stored_turn(row: Row) -> StoredTurn:
    """A turn as the scorer and the role-play read it; a customer turn has no move."""
    turn: StoredTurn = {"speaker": row.speaker, "text": row.text}
    if row.move is not None:
        turn["move"] = row.move
    if row.confidence is not None:
        turn["confidence"] = row.confidence
    if row.also:
        turn["also"] = list(row.also)
    if row.objection is not None:
        turn["objection"] = row.objection
    return turn


def _live_row(connection: Connection, session_id: str, position: int) -> int:
    """The row of the session's live turn at `position`."""
    return connection.execute(
        select(turns.c.id).where(
            turns.c.session_id == session_id,
            turns.c.position == position,
            turns.c.undone_at.is_(None),
        )
    ).scalar_one()


def _undo(connection: Connection, session_id: str, position: int, now: datetime) -> None:
    """Mark the live turns from `position` on undone; each gives its position up (to minus
    its id, unique and never a live position) for the lines that replace it."""
    connection.execute(
        update(turns)
        .where(
            turns.c.session_id == session_id,
            turns.c.position >= position,
            turns.c.undone_at.is_(None),
        )
        .values(undone_at=now, position=-turns.c.id)
    )


def identity_owner(connection: Connection, channel: str, external_id: str) -> int | None:
    """The user who owns a channel identity, if anyone does."""
    return connection.execute(
        select(identities.c.user_id).where(
            identities.c.channel == channel, identities.c.external_id == external_id
        )
    ).scalar()


def _insert_once(connection: Connection, table: Table, values: dict, key: tuple[str, ...]):
    """Insert `values` unless a row with the same `key` columns exists: the new row's
    primary key, or None when it was already there (a retried action or callback)."""
    where = [table.c[name] == values[name] for name in key]
    exists = select(literal(1)).select_from(table).where(*where)
    if connection.execute(exists).first():
        return None
    try:
        with connection.begin_nested():
            return connection.execute(table.insert().values(**values)).inserted_primary_key[0]
    except IntegrityError:
        if connection.execute(exists).first():  # written by a concurrent retry
            return None
        raise
