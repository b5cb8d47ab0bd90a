"""Photos and hash banks.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uploader_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("thumbnail_sha256", sa.String(64), nullable=False),
        sa.Column("preview_sha256", sa.String(64), nullable=False),
        sa.Column("mime", sa.String(20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("pdq", sa.String(64)),
        sa.Column("pdq_quality", sa.Integer(), server_default="0", nullable=False),
        sa.Column("caption", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("nudity", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_images_uploader_id", "images", ["uploader_id"])
    op.create_index("ix_images_sha256", "images", ["sha256"])
    op.create_index("ix_images_created_ms", "images", ["created_ms"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("image_id", sa.Integer(), sa.ForeignKey("images.id", name="fk_messages_image")))
    op.create_table(
        "hash_banks",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("category", sa.String(10), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "bank_hashes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bank", sa.String(60), sa.ForeignKey("hash_banks.name"), nullable=False),
        sa.Column("pdq", sa.String(64)),
        sa.Column("sha256", sa.String(64)),
        sa.Column("label", sa.String(200), server_default="", nullable=False),
        sa.Column("source", sa.String(200), server_default="", nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_bank_hashes_bank", "bank_hashes", ["bank"])


def downgrade() -> None:
    op.drop_table("bank_hashes")
    op.drop_table("hash_banks")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("image_id")
    op.drop_table("images")
