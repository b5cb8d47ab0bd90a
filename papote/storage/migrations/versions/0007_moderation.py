"""Moderation: room moderators, reports, frozen evidence, decisions, appeals; targets and claims on cases.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("target_kind", sa.String(20), nullable=True))
        batch.add_column(sa.Column("target_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_ms", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("closed_ms", sa.BigInteger(), nullable=True))
        batch.create_index("ix_cases_target", ["target_kind", "target_id"])
    op.create_table(
        "room_moderators",
        sa.Column("room_id", sa.String(40), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["room_id"], ["rooms.id"], name=op.f("fk_room_moderators_room_id_rooms")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_room_moderators_person_id_people")),
        sa.PrimaryKeyConstraint("room_id", "person_id", name=op.f("pk_room_moderators")),
    )
    op.create_index(op.f("ix_room_moderators_person_id"), "room_moderators", ["person_id"])
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), server_default="", nullable=False),
        sa.Column("ip_hash", sa.String(64), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_reports_case_id_cases")),
        sa.ForeignKeyConstraint(["reporter_id"], ["people.id"], name=op.f("fk_reports_reporter_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
    )
    op.create_index(op.f("ix_reports_case_id"), "reports", ["case_id"])
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("part", sa.String(10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_evidence_case_id_cases")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_evidence_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    op.create_index(op.f("ix_evidence_case_id"), "evidence", ["case_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("moderator_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("automated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("appeal_until_ms", sa.BigInteger(), nullable=False),
        sa.Column("reversed_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_decisions_case_id_cases")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_decisions_person_id_people")),
        sa.ForeignKeyConstraint(["moderator_id"], ["people.id"], name=op.f("fk_decisions_moderator_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_case_id"), "decisions", ["case_id"])
    op.create_index(op.f("ix_decisions_person_id"), "decisions", ["person_id"])
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_ms", sa.BigInteger(), nullable=True),
        sa.Column("outcome_reason", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name=op.f("fk_appeals_decision_id_decisions")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_appeals_person_id_people")),
        sa.ForeignKeyConstraint(["decided_by"], ["people.id"], name=op.f("fk_appeals_decided_by_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_appeals_decision_id")),
    )


def downgrade() -> None:
    op.drop_table("appeals")
    op.drop_index(op.f("ix_decisions_person_id"), table_name="decisions")
    op.drop_index(op.f("ix_decisions_case_id"), table_name="decisions")
    op.drop_table("decisions")
    op.drop_index(op.f("ix_evidence_case_id"), table_name="evidence")
    op.drop_table("evidence")
    op.drop_index(op.f("ix_reports_case_id"), table_name="reports")
    op.drop_table("reports")
    op.drop_index(op.f("ix_room_moderators_person_id"), table_name="room_moderators")
    op.drop_table("room_moderators")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_target")
        batch.drop_column("closed_ms")
        batch.drop_column("claimed_ms")
        batch.drop_column("claimed_by")
        batch.drop_column("target_id")
        batch.drop_column("target_kind")
