"""A trainer's correction moves the overall: `roleplay_sessions.revised_overall` is the
weighted mean (scoring.yml's weights, `bot.scoring.overall`) of the scores that count, each
dimension's newest override or else its automatic score; None while nobody corrected any. The
automatic `overall` stays as it was. Sessions corrected before this revision get theirs now.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 17:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

from bot.methodology import DIMENSIONS, load_methodology
from bot.scoring.overall import weighted_overall

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("roleplay_sessions", sa.Column("revised_overall", sa.Integer(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT session_id, dimension, score FROM score_overrides ORDER BY created_at, id")
    ).all()
    if not rows:
        return
    latest: dict[str, dict[str, int]] = {}
    for session_id, dimension, score in rows:
        latest.setdefault(session_id, {})[dimension] = score
    weights = load_methodology().scoring.weights
    for session_id, overrides in latest.items():
        stored = bind.execute(
            sa.text("SELECT dimensions FROM session_reports WHERE session_id = :id"),
            {"id": session_id},
        ).scalar()
        automatic = json.loads(stored) if isinstance(stored, str) else dict(stored or {})
        counting = {key: overrides.get(key, automatic.get(key)) for key in DIMENSIONS}
        bind.execute(
            sa.text("UPDATE roleplay_sessions SET revised_overall = :overall WHERE id = :id"),
            {"overall": weighted_overall(weights, counting), "id": session_id},
        )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): a batch rebuild of roleplay_sessions would
    # drop a table other tables' rows point at.
    op.drop_column("roleplay_sessions", "revised_overall")
