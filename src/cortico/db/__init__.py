"""Persistence: the SQLAlchemy models and the database handle.

The :class:`~cortico.db.models.Job` record is the single source of truth about a
job: workers write state and progress into it, the web process only reads it.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from cortico._utils.lazy import lazy_exports as _lazy_exports
from cortico.db._database import Database
from cortico.db.models import Base, Image, Job, JobState, Token, User, Worker

if _TYPE_CHECKING:
    from cortico.db._migrate import upgrade_schema

__all__ = ["Base", "Database", "Image", "Job", "JobState", "Token", "User", "Worker", "upgrade_schema"]

# Alembic is imported only to upgrade the schema, not by every process that opens the database.
_HOMES = {"upgrade_schema": "_migrate"}
__getattr__, __dir__ = _lazy_exports(__name__, _HOMES)
