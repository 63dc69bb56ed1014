"""The web chat has its own signed channel: a web account's identity moves from the REST
sender `web-<id>` to `<id>` on channel `web`, and its conversation from `web-<id>` to
`web:<id>` (in the role-play records and, where Rasa created it, the tracker's events), so a
rep's history goes on in the new conversation.

Only identities whose sender id names their own owner move: a REST client that once called
itself `web-7` while no account 7 owned it keeps its conversation.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_CHANNEL, NEW_CHANNEL = "rest", "web"


def upgrade() -> None:
    _move("web-{}", "web:{}", OLD_CHANNEL, NEW_CHANNEL, lambda user: f"web-{user}", str)


def downgrade() -> None:
    _move("web:{}", "web-{}", NEW_CHANNEL, OLD_CHANNEL, str, lambda user: f"web-{user}")


def _move(old_conversation, new_conversation, old_channel, new_channel, old_id, new_id) -> None:
    bind = op.get_bind()
    has_events = sa.inspect(bind).has_table("events")
    owners = bind.execute(
        sa.text("SELECT id, external_id, user_id FROM identities WHERE channel = :channel"),
        {"channel": old_channel},
    ).all()
    for identity, external, user in owners:
        if external != old_id(user):
            continue
        bind.execute(
            sa.text(
                "UPDATE identities SET channel = :channel, external_id = :external WHERE id = :id"
            ),
            {"channel": new_channel, "external": new_id(user), "id": identity},
        )
        renamed = {"old": old_conversation.format(user), "new": new_conversation.format(user)}
        bind.execute(
            sa.text(
                "UPDATE roleplay_sessions SET conversation_id = :new, channel = :channel "
                "WHERE conversation_id = :old"
            ),
            renamed | {"channel": new_channel},
        )
        if has_events:
            bind.execute(
                sa.text("UPDATE events SET sender_id = :new WHERE sender_id = :old"), renamed
            )
