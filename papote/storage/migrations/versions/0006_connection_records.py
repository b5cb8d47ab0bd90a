"""Connection records (kept one year, read only by the legal export) and keyed hashes of them.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connection_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("ip", sa.String(45), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_connection_records_person_id", "connection_records", ["person_id"])
    op.create_index("ix_connection_records_at_ms", "connection_records", ["at_ms"])
    op.create_table(
        "connection_hashes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("ip_hash", sa.String(64), nullable=False),
        sa.Column("device_hash", sa.String(64)),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_connection_hashes_person_id", "connection_hashes", ["person_id"])
    op.create_index("ix_connection_hashes_ip_hash", "connection_hashes", ["ip_hash"])
    op.create_index("ix_connection_hashes_device_hash", "connection_hashes", ["device_hash"])


def downgrade() -> None:
    op.drop_table("connection_hashes")
    op.drop_table("connection_records")
