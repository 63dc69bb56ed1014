"""The tables. Every role-play turn and its assessment get a row when the turn happens; trainer
comments and score overrides sit beside the automatic scores, never replacing them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.methodology.vocabulary import OUTCOMES, ROLES

# Named constraints, so Alembic migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _when(name: str = "created_at", nullable: bool = False) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False, unique=True),
    _when(),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(120), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("role", String(16), nullable=False),
    Column("team_id", ForeignKey("teams.id"), nullable=True, index=True),
    Column("password_hash", String(255), nullable=True),
    _when(),
    CheckConstraint(f"role IN {ROLES}", name="role"),
)

# How a user is known on each channel: a WeCom userid, a REST sender id, a web account.
identities = Table(
    "identities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(32), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    _when(),
    UniqueConstraint("channel", "external_id", name="uq_identities_channel_external_id"),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("source", Text, nullable=True),  # the YAML of an uploaded scenario
    Column("uploaded_by", ForeignKey("users.id"), nullable=True),
    _when(),
)

roleplay_sessions = Table(
    "roleplay_sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("scenario_id", String(64), nullable=False, index=True),
    Column("persona", String(16), nullable=False, index=True),
    Column("seed", BigInteger, nullable=False),  # CRC32 values reach 2**32 - 1
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("ended_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("overall", Integer, nullable=True, index=True),  # the automatic score's
    # The overall of the scores that count (each dimension's newest trainer override, else
    # its automatic score), by the same weighted mean; None while no dimension is corrected.
    Column("revised_overall", Integer, nullable=True),
    CheckConstraint(f"outcome IS NULL OR outcome IN {OUTCOMES}", name="outcome"),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("roleplay_sessions.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("speaker", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("move", String(64), nullable=True),
    Column("confidence", Float, nullable=True),
    Column("also", JSON, nullable=True),  # further moves the line's clauses carry
    # Customer lines the simulator said: the objection type raised, "" for none (M6).
    Column("objection", String(64), nullable=True),
    # Customer lines: his state after saying it (CustomerState.to_dict()), written with the
    # line, so a role-play is read back from here at any position (migration 0009).
    Column("customer_state", JSON, nullable=True),
    _when(),
    # Set when the rep took the line back (or the conversation was rolled back after a fault
    # and he said something else): kept for the trainer, never scored. An undone turn gives
    # its position up (it becomes minus the turn's id) to the line that replaced it.
    _when("undone_at", nullable=True),
    UniqueConstraint("session_id", "position", name="uq_turns_session_id_position"),
    CheckConstraint("speaker IN ('rep', 'customer')", name="speaker"),
)

turn_assessments = Table(
    "turn_assessments",
    metadata,
    Column("turn_id", ForeignKey("turns.id"), primary_key=True),
    Column("step", String(32), nullable=True),
    Column("changes", JSON, nullable=False),
    Column("notes", JSON, nullable=False),
    Column("feedback", Text, nullable=False),
)

session_reports = Table(
    "session_reports",
    metadata,
    Column("session_id", ForeignKey("roleplay_sessions.id"), primary_key=True),
    Column("overall", Integer, nullable=False),
    Column("dimensions", JSON, nullable=False),
    Column("report", JSON, nullable=False),
    _when(),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("roleplay_sessions.id"), nullable=False, index=True),
    Column("turn_id", ForeignKey("turns.id"), nullable=True),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    _when(),
)

score_overrides = Table(
    "score_overrides",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("roleplay_sessions.id"), nullable=False, index=True),
    Column("dimension", String(32), nullable=False),
    Column("automatic", Integer, nullable=True),
    Column("score", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("author_id", ForeignKey("users.id"), nullable=False),
    _when(),
)

quiz_rounds = Table(
    "quiz_rounds",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    Column("answered", Integer, nullable=False),
    Column("correct", Integer, nullable=False),
    Column("answers", JSON, nullable=False),
    _when("finished_at"),
)

# Channel messages already taken (a WeCom MsgId): set if absent before any work, so a retry
# after a restart, or one that reaches another process, is not handled twice; `handled_at`
# stays empty for one whose handling never finished (the server was killed).
inbound_messages = Table(
    "inbound_messages",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("sender", String(255), nullable=False),
    _when("received_at"),
    _when("handled_at", nullable=True),
    Index("ix_inbound_messages_received_at", "received_at"),
)

# A signed-in browser: the cookie carries only this random id, so signing out (deleting the
# row) ends the session even for a copy of the cookie saved before.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False, index=True),
    _when(),
)

# Failed sign-ins per account and per address, counted in the database so every web process
# sees the same count; a key over its limit is locked until `locked_until`.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("failures", Integer, nullable=False),
    _when("first_at"),
    _when("locked_until", nullable=True),
)

# What was said in every conversation, one row per rep message and bot reply, written by the
# consumer of Rasa's event broker (bot/adapters/event_log.py) off the turn's path: trainers'
# figures (lines per rep per day, moves, replies) come from here without parsing Rasa's own
# `events` rows. Its unique key makes a redelivered broker message a no-op.
conversation_log = Table(
    "conversation_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("conversation_id", String(255), nullable=False),
    Column("kind", String(8), nullable=False),  # "user" (the rep) or "bot"
    Column("stamp", Float, nullable=False),  # the event's own timestamp, seconds since 1970
    Column("text", Text, nullable=True),
    Column("intent", String(100), nullable=True),
    _when("logged_at"),
    UniqueConstraint("conversation_id", "kind", "stamp"),
)
