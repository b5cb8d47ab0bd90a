"""Safety verdicts carried out: restrictions on people, message flags, evidence, cases.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("muted_until_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("suspended_until_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("private_restricted", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("flags", sa.String(20), server_default="", nullable=False))
        batch.add_column(sa.Column("labels", sa.String(200), server_default="", nullable=False))
    op.create_table(
        "safety_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(48), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("labels", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_safety_events_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_events")),
        sa.UniqueConstraint("person_id", "client_id", name="uq_safety_events_person_client"),
    )
    op.create_index(op.f("ix_safety_events_person_id"), "safety_events", ["person_id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("minor_involved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("channel", sa.String(48), nullable=True),
        sa.Column("safety_event_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["subject_id"], ["people.id"], name=op.f("fk_cases_subject_id_people")),
        sa.ForeignKeyConstraint(
            ["safety_event_id"], ["safety_events.id"], name=op.f("fk_cases_safety_event_id_safety_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_status_priority", "cases", ["status", "priority"])


def downgrade() -> None:
    op.drop_index("ix_cases_status_priority", table_name="cases")
    op.drop_table("cases")
    op.drop_index(op.f("ix_safety_events_person_id"), table_name="safety_events")
    op.drop_table("safety_events")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("labels")
        batch.drop_column("flags")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("private_restricted")
        batch.drop_column("suspended_until_ms")
        batch.drop_column("muted_until_ms")
