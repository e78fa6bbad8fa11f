"""users: ids never reused (SQLite AUTOINCREMENT), session secret, client address

Revision ID: 0004_trust
Revises: 0003_arch_progress
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_trust"
down_revision = "0003_arch_progress"
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the table is rebuilt with AUTOINCREMENT (ids of deleted rows are never
    # handed out again); PostgreSQL's sequence never reuses ids anyway.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "users", recreate="always" if sqlite else "auto", table_kwargs={"sqlite_autoincrement": True}
    ) as batch:
        batch.add_column(sa.Column("session_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("client_address", sa.String(length=64), nullable=True))
        batch.create_index("ix_users_client_address", ["client_address"])


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_client_address")
        batch.drop_column("client_address")
        batch.drop_column("session_secret")
