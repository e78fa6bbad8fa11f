"""Expiry of results and uploads after the configured retention time."""

import logging
import shutil
from datetime import timedelta

from sqlalchemy import delete, exists, select

from cortico.db import Job, JobState, User
from cortico.db.models import utcnow

__all__ = ["purge_expired", "register_purger"]

log = logging.getLogger(__name__)

# Other stores (e.g. uploaded volumes) add a callable(runtime, cutoff) -> count here.
_PURGERS = []


def register_purger(purger):
    """Add ``purger(runtime, cutoff) -> int`` to what :func:`purge_expired` runs."""
    _PURGERS.append(purger)
    return purger


def purge_expired(runtime, now=None):
    """Delete finished jobs older than ``RETENTION_SECONDS`` with their files.

    Also removes anonymous users left without jobs, and runs every registered
    purger. Queued and running jobs are never touched. Returns the number of
    objects deleted.
    """
    cutoff = (now or utcnow()) - timedelta(seconds=float(runtime.settings["RETENTION_SECONDS"]))
    finished = [JobState.SUCCEEDED.value, JobState.FAILED.value, JobState.CANCELLED.value]
    with runtime.db.session() as session:
        expired = list(
            session.execute(select(Job.id).where(Job.state.in_(finished), Job.created_at < cutoff)).scalars()
        )
    for job_id in expired:
        shutil.rmtree(runtime.storage / "jobs" / job_id, ignore_errors=True)
        with runtime.db.session() as session:
            session.execute(delete(Job).where(Job.id == job_id))
    deleted = len(expired)
    for purger in _PURGERS:
        deleted += purger(runtime, cutoff)
    with runtime.db.session() as session:
        deleted += session.execute(
            delete(User).where(
                User.anonymous.is_(True), User.created_at < cutoff, ~exists().where(Job.owner_id == User.id)
            )
        ).rowcount
    if deleted:
        log.info("retention: deleted %d expired object(s) created before %s", deleted, cutoff)
    return deleted
