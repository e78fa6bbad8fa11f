"""Alembic environment: runs migrations on the URL handed over by upgrade_schema."""

from alembic import context
from sqlalchemy import create_engine, pool

from cortico.db.models import Base

url = context.config.attributes.get("database_url") or context.config.get_main_option("sqlalchemy.url")
engine = create_engine(url, poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
