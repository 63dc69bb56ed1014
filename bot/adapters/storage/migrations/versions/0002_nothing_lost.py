"""Nothing lost: seeds are 64-bit, undone turns are kept and marked, WeCom callbacks are
remembered in the database.

- `roleplay_sessions.seed` was a 32-bit INTEGER; seeds are CRC32 values up to 2**32 - 1, so on
  PostgreSQL every seed from 2**31 failed and the whole visit went unstored.
- `turns.undone_at`: a rep line taken back (`/back`, or a conversation rolled back after a
  fault) stays in the record, marked, instead of blocking the line that replaced it.
- `inbound_messages`: WeCom callbacks already taken, so a retry after a restart, or one that
  reaches another process, is not handled twice; one taken but never finished (the server
  was killed) is known at the next start, and its sender asked to send it again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 18:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite stores any INTEGER in up to 8 bytes already; rebuilding the table to change its
    # declared type would fail on the foreign keys that point at it.
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "roleplay_sessions",
            "seed",
            existing_type=sa.Integer(),
            type_=sa.BigInteger(),
            existing_nullable=False,
        )
    op.add_column("turns", sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "inbound_messages",
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("sender", sa.String(length=255), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("channel", "key", name=op.f("pk_inbound_messages")),
    )
    op.create_index(
        op.f("ix_inbound_messages_received_at"), "inbound_messages", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_table("inbound_messages")
    with op.batch_alter_table("turns", schema=None) as batch_op:
        batch_op.drop_column("undone_at")
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "roleplay_sessions",
            "seed",
            existing_type=sa.BigInteger(),
            type_=sa.Integer(),
            existing_nullable=False,
        )
