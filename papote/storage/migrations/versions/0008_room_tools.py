"""Room emergency tools, room bans, and the messages a moderator's `remove_messages` decision hid.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rooms") as batch:
        batch.add_column(sa.Column("registered_only", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("hold_new_arrivals", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "room_bans",
        sa.Column("room_id", sa.String(40), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("until_ms", sa.BigInteger(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_room_bans_room_id_rooms")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_room_bans_person_id_people")),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_room_bans_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("room_id", "person_id", name=op.f("pk_room_bans")),
    )
    op.create_index(op.f("ix_room_bans_person_id"), "room_bans", ["person_id"])
    op.create_table(
        "removed_messages",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_removed_messages_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("decision_id", "message_id", name=op.f("pk_removed_messages")),
    )


def downgrade() -> None:
    op.drop_table("removed_messages")
    op.drop_index(op.f("ix_room_bans_person_id"), table_name="room_bans")
    op.drop_table("room_bans")
    with op.batch_alter_table("rooms") as batch:
        batch.drop_column("locked")
        batch.drop_column("hold_new_arrivals")
        batch.drop_column("registered_only")
