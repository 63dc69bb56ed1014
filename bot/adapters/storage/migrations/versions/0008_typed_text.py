"""The rep's words as he typed them: until 2026-12-02 the action server stored the NLU's copy
of a rep's line (full-width punctuation folded to ASCII, traditional characters simplified:
"不着急,慢慢看。" became "不着急,慢慢看."); since then it stores the line as typed. Rasa's
tracker keeps every line as typed in its `events` table (same database), so the rep turns
stored the old way get their original text back from there: a turn whose text is exactly
the folded form (`bot.language.text.normalize`) of one line of its conversation, and of no
other (nor typed so), becomes that line. Turns with nothing to match (no tracker events, two
lines that fold alike) keep what they have.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 17:10:00
"""

import json

import sqlalchemy as sa
from alembic import op

from bot.language.text import normalize

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("events"):
        return
    conversations = (
        bind.execute(
            sa.text(
                "SELECT DISTINCT s.conversation_id FROM roleplay_sessions s"
                " JOIN turns t ON t.session_id = s.id WHERE t.speaker = 'rep'"
            )
        )
        .scalars()
        .all()
    )
    for conversation in conversations:
        typed = _typed_lines(bind, conversation)
        if not typed:
            continue
        rows = bind.execute(
            sa.text(
                "SELECT t.id, t.text FROM turns t JOIN roleplay_sessions s ON s.id = t.session_id"
                " WHERE s.conversation_id = :conversation AND t.speaker = 'rep'"
            ),
            {"conversation": conversation},
        ).all()
        for turn_id, stored in rows:
            original = typed.get(stored)
            if original and original != stored:
                bind.execute(
                    sa.text("UPDATE turns SET text = :text WHERE id = :id"),
                    {"text": original, "id": turn_id},
                )


def _typed_lines(bind, conversation: str) -> dict[str, str]:
    """The folded form the old action server stored -> the line as typed, for the folded
    forms that exactly one line of the conversation has and that folding changed."""
    originals: dict[str, set[str]] = {}
    events = bind.execute(
        sa.text("SELECT data FROM events WHERE sender_id = :sender AND type_name = 'user'"),
        {"sender": conversation},
    )
    for (data,) in events:
        try:
            text = (json.loads(data) if isinstance(data, str | bytes) else data).get("text")
        except (TypeError, ValueError, AttributeError):
            continue
        if isinstance(text, str) and not text.startswith("/"):
            original = text.strip()
            originals.setdefault(normalize(original).strip(), set()).add(original)
    return {
        folded: next(iter(found))
        for folded, found in originals.items()
        if len(found) == 1 and folded not in found
    }


def downgrade() -> None:
    """Nothing to undo: the text as typed is what every revision should show."""
