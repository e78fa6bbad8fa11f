"""Persistence: the SQLAlchemy models and the database handle.

The :class:`~cortico.db.models.Job` record is the single source of truth about a
job: workers write state and progress into it, the web process only reads it.
"""

from cortico.db._database import Database
from cortico.db._migrate import upgrade_schema
from cortico.db.models import Base, Image, Job, JobState, Token, User, Worker

__all__ = ["Base", "Database", "Image", "Job", "JobState", "Token", "User", "Worker", "upgrade_schema"]
