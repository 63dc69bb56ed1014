"""Initial schema: teams, users and their channel identities, scenarios, role-play sessions,
turns with assessments, reports, trainer comments and score overrides, quiz rounds.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 08:32:38.528539
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=120), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('rep', 'trainer', 'admin')", name=op.f("ck_users_role")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_users_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_team_id"), ["team_id"], unique=False)

    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_identities_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identities")),
        sa.UniqueConstraint("channel", "external_id", name="uq_identities_channel_external_id"),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identities_user_id"), ["user_id"], unique=False)

    op.create_table(
        "quiz_rounds",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_quiz_rounds_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quiz_rounds")),
    )
    with op.batch_alter_table("quiz_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_rounds_user_id"), ["user_id"], unique=False)

    op.create_table(
        "roleplay_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("scenario_id", sa.String(length=64), nullable=False),
        sa.Column("persona", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("overall", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('signed', 'lost', 'ended')",
            name=op.f("ck_roleplay_sessions_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_roleplay_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roleplay_sessions")),
    )
    with op.batch_alter_table("roleplay_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_roleplay_sessions_conversation_id"), ["conversation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_roleplay_sessions_overall"), ["overall"], unique=False)
        batch_op.create_index(batch_op.f("ix_roleplay_sessions_persona"), ["persona"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_roleplay_sessions_scenario_id"), ["scenario_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_roleplay_sessions_started_at"), ["started_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_roleplay_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_scenarios_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenarios")),
    )
    op.create_table(
        "score_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("dimension", sa.String(length=32), nullable=False),
        sa.Column("automatic", sa.Integer(), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_score_overrides_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["roleplay_sessions.id"],
            name=op.f("fk_score_overrides_session_id_roleplay_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_overrides")),
    )
    with op.batch_alter_table("score_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_score_overrides_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "session_reports",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("overall", sa.Integer(), nullable=False),
        sa.Column("dimensions", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["roleplay_sessions.id"],
            name=op.f("fk_session_reports_session_id_roleplay_sessions"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_reports")),
    )
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("move", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("speaker IN ('rep', 'customer')", name=op.f("ck_turns_speaker")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["roleplay_sessions.id"],
            name=op.f("fk_turns_session_id_roleplay_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turns")),
        sa.UniqueConstraint("session_id", "position", name="uq_turns_session_id_position"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["roleplay_sessions.id"],
            name=op.f("fk_comments_session_id_roleplay_sessions"),
        ),
        sa.ForeignKeyConstraint(["turn_id"], ["turns.id"], name=op.f("fk_comments_turn_id_turns")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_session_id"), ["session_id"], unique=False)

    op.create_table(
        "turn_assessments",
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["turn_id"], ["turns.id"], name=op.f("fk_turn_assessments_turn_id_turns")
        ),
        sa.PrimaryKeyConstraint("turn_id", name=op.f("pk_turn_assessments")),
    )


def downgrade() -> None:
    op.drop_table("turn_assessments")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_session_id"))

    op.drop_table("comments")
    op.drop_table("turns")
    op.drop_table("session_reports")
    with op.batch_alter_table("score_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_overrides_session_id"))

    op.drop_table("score_overrides")
    op.drop_table("scenarios")
    with op.batch_alter_table("roleplay_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roleplay_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_roleplay_sessions_started_at"))
        batch_op.drop_index(batch_op.f("ix_roleplay_sessions_scenario_id"))
        batch_op.drop_index(batch_op.f("ix_roleplay_sessions_persona"))
        batch_op.drop_index(batch_op.f("ix_roleplay_sessions_overall"))
        batch_op.drop_index(batch_op.f("ix_roleplay_sessions_conversation_id"))

    op.drop_table("roleplay_sessions")
    with op.batch_alter_table("quiz_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quiz_rounds_user_id"))

    op.drop_table("quiz_rounds")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identities_user_id"))

    op.drop_table("identities")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_team_id"))

    op.drop_table("users")
    op.drop_table("teams")
