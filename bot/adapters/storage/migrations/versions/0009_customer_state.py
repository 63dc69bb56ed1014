"""The customer's state beside each of his lines: `turns.customer_state` holds
`CustomerState.to_dict()` as it was after he said the line, written in the same transaction,
so a role-play can be read back from the store at any position (the conversation's
`roleplay` slot now holds only a reference: session, turn count, last turn row).

Until now the state lived only in the slot, which Rasa keeps in its `events` table (same
database): each such slot event held the whole role-play, its customer state and its turns.
The customer lines of those visits get their state from there: the state of the last event
that had that many turns, set on the live customer line at that position. Lines with nothing
to match (no tracker events, a line taken back) keep none. A role-play still running when the
database is upgraded goes on from here: its slot's whole role-play is read as a reference to
its session and turn count (actions/state.py).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 19:00:00
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("turns", sa.Column("customer_state", sa.JSON(), nullable=True))
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("events"):
        return
    turns = sa.table(
        "turns",
        sa.column("session_id", sa.String),
        sa.column("position", sa.Integer),
        sa.column("speaker", sa.String),
        sa.column("undone_at", sa.DateTime),
        sa.column("customer_state", sa.JSON),
    )
    states: dict[tuple[str, int], dict] = {}
    events = bind.execute(
        sa.text(
            "SELECT data FROM events WHERE type_name = 'slot' AND action_name = 'roleplay'"
            " ORDER BY id"
        )
    )
    for (data,) in events:
        value = _slot_value(data)
        if value is not None:
            states[(value["id"], len(value["turns"]) - 1)] = value["customer"]
    for (session_id, position), state in states.items():
        bind.execute(
            turns.update()
            .where(
                turns.c.session_id == session_id,
                turns.c.position == position,
                turns.c.speaker == "customer",
                turns.c.undone_at.is_(None),
            )
            .values(customer_state=state)
        )


def _slot_value(data: str | bytes | dict) -> dict | None:
    """A `roleplay` slot event's whole role-play, or None (a reference, an empty slot)."""
    try:
        value = (json.loads(data) if isinstance(data, str | bytes) else data).get("value")
    except (TypeError, ValueError, AttributeError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("turns"), list):
        return None
    if not isinstance(value.get("id"), str) or not isinstance(value.get("customer"), dict):
        return None
    return value


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+ has it): a batch rebuild of turns would drop a table
    # the assessments' rows point at.
    op.drop_column("turns", "customer_state")
