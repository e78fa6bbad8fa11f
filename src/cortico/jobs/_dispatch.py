"""Creating, sending, cancelling and recovering jobs (used by web, CLI and workers)."""

import logging
import secrets
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from cortico.db import Job, JobState
from cortico.db.models import utcnow
from cortico.exceptions import DependencyError, TooManyJobsError
from cortico.jobs._registry import get_kind

__all__ = ["submit_job", "cancel_job", "recover_orphaned_jobs", "TASK_NAME"]

TASK_NAME = "cortico.run_job"

log = logging.getLogger(__name__)


def _send(celery_app, job_id, dispatch_id):
    # The dispatch id doubles as the Celery task id, so cancel_job can revoke it.
    celery_app.send_task(TASK_NAME, args=[job_id, dispatch_id], task_id=dispatch_id)


def submit_job(celery_app, owner_id, kind, params, job_id=None):
    """Validate ``params`` for ``kind``, store a queued Job and send it to the workers.

    Returns
    -------
    str
        The new job's id.

    Raises
    ------
    cortico.exceptions.InputError
        Unknown kind or invalid parameters (nothing is stored then).
    """
    job_kind = get_kind(kind)
    params = job_kind.validate(params)
    runtime = celery_app.cortico
    _check_in_flight(runtime, owner_id)
    dispatch_id = secrets.token_hex(16)
    with runtime.db.session() as session:
        job = Job(
            kind=kind,
            owner_id=owner_id,
            params=params,
            dispatch_id=dispatch_id,
            state=JobState.QUEUED.value,
            progress_message="queued",
        )
        if job_id:
            job.id = job_id
        session.add(job)
        session.flush()
        job_id = job.id
    try:
        _send(celery_app, job_id, dispatch_id)
    except Exception as exc:  # broker down: say so now rather than leave a job queued forever
        log.error("could not queue job %s: %s", job_id, exc)
        with runtime.db.session() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(
                    state=JobState.FAILED.value,
                    finished_at=utcnow(),
                    error="The job queue was unreachable, so the job was not started; please try again later.",
                )
            )
        raise DependencyError(
            "The job queue is unreachable right now; the job was not started. Please try again in a minute."
        ) from None
    return job_id


def _check_in_flight(runtime, owner_id):
    limit = int(runtime.settings["MAX_JOBS_IN_FLIGHT"])
    with runtime.db.session() as session:
        in_flight = session.execute(
            select(func.count())
            .select_from(Job)
            .where(Job.owner_id == owner_id, Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]))
        ).scalar()
    if in_flight >= limit:
        raise TooManyJobsError(
            f"You already have {in_flight} unfinished jobs (the limit is {limit}); "
            "wait for some to finish or cancel them."
        )


def cancel_job(celery_app, job_id):
    """Cancel a queued or running job; returns False if it had already finished.

    The state change is what stops the job (its next progress report raises); a
    revoke with ``terminate`` additionally stops work that reports no progress.
    """
    runtime = celery_app.cortico
    with runtime.db.session() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]))
            .values(state=JobState.CANCELLED.value, finished_at=utcnow(), progress_message="cancelled by the user")
        )
        task_id = session.execute(select(Job.dispatch_id).where(Job.id == job_id)).scalar()
    if result.rowcount == 0:
        return False
    if task_id:
        try:
            celery_app.control.revoke(task_id, terminate=True, signal="SIGTERM")
        except Exception as exc:  # the broker may be down; the state change suffices
            log.warning("could not revoke job %s: %s", job_id, exc)
    return True


def recover_orphaned_jobs(celery_app, all_unfinished=False):
    """Re-send or fail jobs whose worker died.

    A running job whose heartbeat is older than ``JOB_STALE_SECONDS`` is orphaned.
    With ``all_unfinished`` (the embedded worker at start-up, the only worker there
    is) every queued or running job is re-sent: the filesystem broker loses the
    messages a killed worker had taken. Each re-send gets a new dispatch id, so a
    late duplicate message is dropped by the task. Returns the ids re-sent.
    """
    runtime = celery_app.cortico
    settings = runtime.settings
    stale_before = utcnow() - timedelta(seconds=float(settings["JOB_STALE_SECONDS"]))
    max_attempts = int(settings["JOB_MAX_ATTEMPTS"])
    if all_unfinished:
        condition = Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value])
    else:
        condition = (Job.state == JobState.RUNNING.value) & or_(
            Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before
        )
    resent = []
    with runtime.db.session() as session:
        candidates = session.execute(select(Job.id, Job.dispatch_id, Job.state, Job.attempts).where(condition)).all()
    for job_id, old_dispatch, state, attempts in candidates:
        orphaned_run = state == JobState.RUNNING.value
        if orphaned_run and attempts >= max_attempts:
            values = {
                "state": JobState.FAILED.value,
                "finished_at": utcnow(),
                "error": (
                    f"The worker running this job stopped unexpectedly {attempts} time(s) "
                    f"(for example killed or out of memory); it was not retried again."
                ),
            }
        else:
            values = {"state": JobState.QUEUED.value, "dispatch_id": secrets.token_hex(16)}
            if orphaned_run:
                values["progress_message"] = "re-queued: the worker running it stopped unexpectedly"
        with runtime.db.session() as session:
            won = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.dispatch_id == old_dispatch, Job.state == state)
                .values(**values)
            ).rowcount
        if won and values["state"] == JobState.QUEUED.value:
            _send(celery_app, job_id, values["dispatch_id"])
            resent.append(job_id)
            log.warning("re-sent job %s (was %s)", job_id, state)
        elif won:
            log.error("job %s failed: worker lost %d time(s)", job_id, attempts)
    return resent
