"""The customer's objections as he raised them: `turns.objection` holds, for a customer line
the simulator said, the objection type it raises ("" when it raises none), so a report
computed again from the stored turns counts the same objections as the live one, and a
clarifying question ("能说得具体一点吗?") or a stall is never scored as an objection.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("turns", sa.Column("objection", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("objection")
