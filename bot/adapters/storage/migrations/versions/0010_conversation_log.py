"""What was said in every conversation (`conversation_log`), filled by the consumer of Rasa's
event broker in a cluster (bot/adapters/event_log.py, docs/cluster.md); empty without one.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("stamp", sa.Float, nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("intent", sa.String(100), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "conversation_id", "kind", "stamp", name="uq_conversation_log_conversation_id"
        ),
    )


def downgrade() -> None:
    op.drop_table("conversation_log")
