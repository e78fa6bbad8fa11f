"""Expiry of results and uploads after the configured retention time."""

import logging
import shutil
from datetime import timedelta

from sqlalchemy import delete, exists, select

from cortico.db import Job, JobState, User
from cortico.db.models import utcnow
from cortico.exceptions import ConflictError, NotFoundError

__all__ = ["delete_finished_job", "purge_expired", "register_purger"]

log = logging.getLogger(__name__)

# Other stores (e.g. uploaded volumes) add a callable(runtime, cutoff) -> count here.
_PURGERS = []


def register_purger(purger):
    """Add ``purger(runtime, cutoff) -> int`` to what :func:`purge_expired` runs."""
    _PURGERS.append(purger)
    return purger


def _delete_job(runtime, job_id):
    shutil.rmtree(runtime.storage / "jobs" / job_id, ignore_errors=True)
    with runtime.db.session() as session:
        session.execute(delete(Job).where(Job.id == job_id))


def delete_finished_job(runtime, job_id, owner_id):
    """Delete a finished job of ``owner_id`` with its files (before retention would).

    NotFoundError for another owner's or an unknown job; ConflictError while it is queued or
    running (stop it first).
    """
    with runtime.db.session() as session:
        job = session.get(Job, job_id) if len(job_id) <= 64 else None
        if job is None or job.owner_id != owner_id:
            raise NotFoundError(f"No job {job_id!r}.")
        if not JobState(job.state).finished:
            raise ConflictError(f"Job {job_id} is {job.state}; stop it before deleting it.")
    _delete_job(runtime, job_id)


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
        _delete_job(runtime, job_id)
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
