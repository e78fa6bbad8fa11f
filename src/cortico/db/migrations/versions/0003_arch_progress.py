"""numeric job progress: done, total and step

Revision ID: 0003_arch_progress
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_arch_progress"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("done", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("total", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("step", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("step")
        batch.drop_column("total")
        batch.drop_column("done")
