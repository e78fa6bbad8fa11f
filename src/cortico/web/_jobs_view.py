"""Reading jobs for a given owner, shared by the API and the pages."""

from flask import current_app, url_for
from sqlalchemy import select

from cortico.db import Job, JobState
from cortico.exceptions import NotFoundError

__all__ = ["get_owned_job", "job_as_dict", "list_owned_jobs"]


def _db():
    return current_app.extensions["cortico.db"]


def get_owned_job(job_id, owner_id):
    """The job ``job_id`` if ``owner_id`` owns it; NotFoundError otherwise (no existence leak)."""
    with _db().session() as session:
        job = session.get(Job, job_id) if len(job_id) <= 64 else None
        if job is None or job.owner_id != owner_id:
            raise NotFoundError(f"No job {job_id!r}.")
        return job


def list_owned_jobs(owner_id, limit=50, kinds=None):
    """The owner's most recent jobs, newest first (only ``kinds`` if given)."""
    query = select(Job).where(Job.owner_id == owner_id)
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    with _db().session() as session:
        return list(session.execute(query.order_by(Job.created_at.desc()).limit(limit)).scalars())


def job_as_dict(job):
    """The public view of a job (the API's JobSchema)."""
    state = JobState(job.state)
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "finished": state.finished,
        "progress": job.progress,
        "message": job.error if state == JobState.FAILED and job.error else job.progress_message,
        "step": job.step,
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "result": job.result if state == JobState.SUCCEEDED else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "links": {"self": url_for("jobs.JobById", job_id=job.id)},
    }
