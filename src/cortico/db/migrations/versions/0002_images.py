"""image store: NIfTI volumes with their Neuroglancer copy

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "images",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("file_name", sa.String(length=300), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("segmentation", sa.Boolean(), nullable=False),
        sa.Column("link_key", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("source_job_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("link_key"),
        sa.UniqueConstraint("owner_id", "name", name="uq_images_owner_name"),
    )
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_images_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_images_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_images_visibility"), ["visibility"], unique=False)


def downgrade():
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_images_visibility"))
        batch_op.drop_index(batch_op.f("ix_images_owner_id"))
        batch_op.drop_index(batch_op.f("ix_images_created_at"))

    op.drop_table("images")
