"""Every move a line carries: `turns.also` holds the further moves a rep line's clauses carry
(a greeting and then a question; F, B and E in one breath), so a report computed again from
the stored turns credits them as the live turn did.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("turns", sa.Column("also", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("also")
