"""Creating, sending, cancelling and recovering jobs (used by web, CLI and workers)."""

import logging
import secrets
from datetime import timedelta

from sqlalchemy import func, or_, select, update

from cortico.db import Job, JobState, Worker
from cortico.db.models import utcnow
from cortico.exceptions import DependencyError, NotFoundError, TooManyJobsError
from cortico.jobs._registry import get_kind

__all__ = [
    "TASK_NAME",
    "cancel_job",
    "fail_job",
    "hand_back_jobs",
    "live_worker_names",
    "recover_orphaned_jobs",
    "requeue_job",
    "requeue_lost_jobs",
    "send_dispatches",
    "submit_job",
    "worker_alive_window",
]

TASK_NAME = "cortico.run_job"

log = logging.getLogger(__name__)


def _send(celery_app, job_id, dispatch_id):
    # The dispatch id doubles as the Celery task id: the reconciler looks for it in the broker.
    celery_app.send_task(TASK_NAME, args=[job_id, dispatch_id], task_id=dispatch_id)


def submit_job(celery_app, owner_id, kind, params, job_id=None, count_in_flight=True):
    """Validate ``params`` for ``kind``, store a queued Job and send it to the workers.

    ``count_in_flight=False`` skips the owner's ``MAX_JOBS_IN_FLIGHT`` check (work
    the server starts on its own, e.g. preparing an upload for viewing).

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
    if count_in_flight:
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

    Only the state changes: the worker watching a running job sees it within a
    second and kills the job's own process group (never a pool process, which
    could hold a lock); a queued job's message is dropped when it is claimed.
    """
    runtime = celery_app.cortico
    with runtime.db.session() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]))
            .values(state=JobState.CANCELLED.value, finished_at=utcnow(), progress_message="cancelled by the user")
        )
    return result.rowcount > 0


def worker_alive_window(settings):
    """Seconds after which a worker (or a job) that has not beaten its heartbeat counts as gone."""
    return max(3 * float(settings["JOB_HEARTBEAT_SECONDS"]), 5.0)


def live_worker_names(runtime):
    """Host names of the workers whose heartbeat is recent."""
    since = utcnow() - timedelta(seconds=worker_alive_window(runtime.settings))
    with runtime.db.session() as session:
        return set(session.execute(select(Worker.hostname).where(Worker.last_seen >= since)).scalars())


def recover_orphaned_jobs(celery_app):
    """Re-send (or fail, after ``JOB_MAX_ATTEMPTS``) running jobs whose worker died.

    A running job is orphaned when its heartbeat is older than
    ``JOB_STALE_SECONDS``, or older than the worker-alive window while its worker
    no longer beats. A job whose worker is alive and beating is never touched, so
    starting another worker does not disturb it. Returns the ids re-sent.
    """
    runtime = celery_app.cortico
    settings = runtime.settings
    now = utcnow()
    stale_before = now - timedelta(seconds=float(settings["JOB_STALE_SECONDS"]))
    quiet_before = now - timedelta(seconds=worker_alive_window(settings))
    max_attempts = int(settings["JOB_MAX_ATTEMPTS"])
    alive = live_worker_names(runtime)
    with runtime.db.session() as session:
        candidates = session.execute(
            select(Job.id, Job.dispatch_id, Job.attempts, Job.heartbeat_at, Job.worker).where(
                Job.state == JobState.RUNNING.value,
                or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < quiet_before),
            )
        ).all()
    resent = []
    for job_id, old_dispatch, attempts, heartbeat_at, worker in candidates:
        if heartbeat_at is not None and heartbeat_at >= stale_before and worker in alive:
            continue
        if attempts >= max_attempts:
            values = {
                "state": JobState.FAILED.value,
                "finished_at": utcnow(),
                "error": (
                    f"The worker running this job stopped unexpectedly {attempts} time(s) "
                    f"(for example killed or out of memory); it was not retried again."
                ),
            }
            if _redispatch(celery_app, job_id, old_dispatch, JobState.RUNNING, values):
                log.error("job %s failed: worker lost %d time(s)", job_id, attempts)
            continue
        values = {"progress_message": "re-queued: the worker running it stopped unexpectedly"}
        if _redispatch(celery_app, job_id, old_dispatch, JobState.RUNNING, values):
            resent.append(job_id)
    return resent


def requeue_lost_jobs(celery_app, also_held=()):
    """Re-send queued jobs that no broker holds a message for, ``JOB_REQUEUE_SECONDS`` after queueing.

    Covers a broker that lost its data (crash, FLUSHDB, failover), a web process
    that died between storing a job and sending it, and a consumer killed after
    taking a message. ``also_held``: dispatch ids a local worker has taken but not
    started. Idempotent: each re-send gets a new dispatch id under a conditional
    update, so concurrent reconcilers re-send a job once and an old message is
    dropped at its claim. Returns the ids re-sent; nothing when the broker is down.
    """
    from cortico.jobs._broker import BrokerUnavailable, held_dispatch_ids

    runtime = celery_app.cortico
    before = utcnow() - timedelta(seconds=float(runtime.settings["JOB_REQUEUE_SECONDS"]))
    with runtime.db.session() as session:
        waiting = session.execute(
            select(Job.id, Job.dispatch_id).where(Job.state == JobState.QUEUED.value, Job.updated_at < before)
        ).all()
    if not waiting:
        return []
    try:
        held = held_dispatch_ids(runtime.settings) | set(also_held)
    except BrokerUnavailable as exc:
        log.warning("cannot check queued jobs against the broker: %s", exc)
        return []
    lost = [(job_id, dispatch) for job_id, dispatch in waiting if dispatch not in held]
    if lost:
        _declare_queue(celery_app)
    resent = []
    for job_id, dispatch in lost:
        values = {"progress_message": "queued (re-sent: the broker had lost its message)"}
        if _redispatch(celery_app, job_id, dispatch, JobState.QUEUED, values):
            resent.append(job_id)
    return resent


def _declare_queue(celery_app):
    """Declare the queue again: a broker that lost its data lost the binding too (kombu caches it)."""
    try:
        with celery_app.connection_for_write() as conn:
            celery_app.amqp.queues[celery_app.conf.task_default_queue](conn.default_channel).declare()
    except Exception as exc:
        log.warning("could not declare the job queue: %s", exc)


def hand_back_jobs(celery_app, hostname):
    """Give the jobs running on worker ``hostname`` back to the queue without spending an attempt.

    The worker watching each job sees that its dispatch changed and kills the
    job's process. The messages are not sent here: a stopping worker would take
    them again; call :func:`send_dispatches` once it no longer consumes (or the
    reconciler sends them). Returns ``[(job_id, dispatch_id)]`` handed back.
    """
    runtime = celery_app.cortico
    with runtime.db.session() as session:
        running = session.execute(
            select(Job.id, Job.dispatch_id).where(Job.state == JobState.RUNNING.value, Job.worker == hostname)
        ).all()
    handed = []
    for job_id, dispatch in running:
        values = {"attempts": Job.attempts - 1, "progress_message": "queued again: its worker was stopped"}
        new_dispatch = _redispatch(celery_app, job_id, dispatch, JobState.RUNNING, values, send=False)
        if new_dispatch:
            handed.append((job_id, new_dispatch))
    return handed


def send_dispatches(celery_app, dispatches):
    """Send the messages of ``[(job_id, dispatch_id)]`` (jobs left queued without one)."""
    for job_id, dispatch in dispatches:
        try:
            _send(celery_app, job_id, dispatch)
        except Exception as exc:  # the reconciler sends it once the broker is back
            log.error("could not send job %s: %s", job_id, exc)


def requeue_job(celery_app, job_id):
    """Operator: send a queued or running job again under a new dispatch id; False if finished."""
    runtime = celery_app.cortico
    with runtime.db.session() as session:
        row = session.execute(select(Job.state, Job.dispatch_id).where(Job.id == job_id)).first()
    if row is None:
        raise NotFoundError(f"There is no job {job_id!r}.")
    if JobState(row.state).finished:
        return False
    values = {"progress_message": "queued again by the operator"}
    return _redispatch(celery_app, job_id, row.dispatch_id, JobState(row.state), values)


def fail_job(celery_app, job_id, reason):
    """Operator: mark a queued or running job failed with ``reason``; False if it had finished."""
    runtime = celery_app.cortico
    with runtime.db.session() as session:
        if session.get(Job, job_id) is None:
            raise NotFoundError(f"There is no job {job_id!r}.")
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]))
            .values(state=JobState.FAILED.value, finished_at=utcnow(), error=reason)
        )
    return result.rowcount > 0


def _redispatch(celery_app, job_id, old_dispatch, old_state, values, send=True):
    """Move a job from (``old_state``, ``old_dispatch``) on; queue it (and send it) unless it failed.

    Returns whether this call won the conditional update: the new dispatch id when
    the job was queued again, True when it failed, False when another call won.
    """
    runtime = celery_app.cortico
    requeue = values.get("state", JobState.QUEUED.value) == JobState.QUEUED.value
    values = dict(values)
    if requeue:
        values.update(state=JobState.QUEUED.value, dispatch_id=secrets.token_hex(16), worker=None)
    with runtime.db.session() as session:
        won = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.dispatch_id == old_dispatch, Job.state == old_state.value)
            .values(**values)
        ).rowcount
    if not won:
        return False
    if not requeue:
        return True
    if send:
        log.warning("re-sent job %s (was %s)", job_id, old_state.value)
        send_dispatches(celery_app, [(job_id, values["dispatch_id"])])
    return values["dispatch_id"]
