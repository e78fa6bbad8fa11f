"""The one Celery task: run a stored Job through its kind (same code in every mode)."""

import logging
import traceback
from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import or_, select, update

from cortico.db import Job, JobState
from cortico.db.models import utcnow
from cortico.exceptions import CorticoError, JobCancelled
from cortico.jobs._context import JobContext
from cortico.jobs._isolation import JobProcessDied, run_isolated
from cortico.jobs._registry import get_kind
from cortico.jobs.credentials import delete_credential

__all__ = ["run_job"]

log = logging.getLogger(__name__)


@shared_task(bind=True, name="cortico.run_job", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(self, job_id, dispatch_id):
    """Claim job ``job_id`` under ``dispatch_id``, run it and store the outcome."""
    runtime = self.app.cortico
    settings = runtime.settings
    if not _claim(runtime, job_id, dispatch_id, self.request.hostname or runtime.hostname()):
        return
    context = JobContext(runtime, job_id, dispatch_id)
    try:
        with runtime.db.session() as session:
            job = session.get(Job, job_id)
            kind, params = job.kind, dict(job.params or {})
            attempts = job.attempts
        if attempts > int(settings["JOB_MAX_ATTEMPTS"]):
            _finish(
                runtime,
                job_id,
                dispatch_id,
                JobState.FAILED,
                error=f"The job was started {attempts - 1} time(s) and its worker was lost each time; "
                "it was not retried again.",
            )
            return
        # The work runs in a killable child; this pool process only watches it.
        result = run_isolated(context, get_kind(kind).run, params, float(settings["JOB_HEARTBEAT_SECONDS"]))
    except JobCancelled:
        _finish(runtime, job_id, dispatch_id, JobState.CANCELLED, message="cancelled by the user")
        _forget_credential_if_finished(runtime, job_id, context.folder)
    except JobProcessDied as exc:
        log.error("job %s: %s", job_id, exc)
        _finish(runtime, job_id, dispatch_id, JobState.FAILED, error=str(exc))
    except SoftTimeLimitExceeded:
        limit = settings["JOB_TIME_LIMIT_SECONDS"]
        _finish(
            runtime,
            job_id,
            dispatch_id,
            JobState.FAILED,
            error=f"The job exceeded the time limit of {limit} s and was stopped.",
        )
    except CorticoError as exc:
        error = exc.message if not exc.problems else exc.message + "\n" + "\n".join(exc.problems)
        _finish(runtime, job_id, dispatch_id, JobState.FAILED, error=error)
    except MemoryError:
        _finish(
            runtime,
            job_id,
            dispatch_id,
            JobState.FAILED,
            error="The job ran out of memory; try smaller inputs or fewer images per job.",
        )
    except OSError as exc:
        log.error("job %s failed: %s", job_id, traceback.format_exc())
        _finish(
            runtime,
            job_id,
            dispatch_id,
            JobState.FAILED,
            error=f"A file operation failed on the server: {exc.strerror or exc}.",
        )
    except Exception as exc:
        log.error("job %s crashed: %s", job_id, traceback.format_exc())
        _finish(
            runtime,
            job_id,
            dispatch_id,
            JobState.FAILED,
            error=_crash_message(exc),
        )
    else:
        _finish(runtime, job_id, dispatch_id, JobState.SUCCEEDED, result=result)
    finally:
        context.stop_heartbeat()


def _forget_credential_if_finished(runtime, job_id, folder):
    """A killed job process could not delete its credential; do it unless the job runs again."""
    with runtime.db.session() as session:
        state = session.execute(select(Job.state).where(Job.id == job_id)).scalar()
    if state is None or JobState(state).finished:
        delete_credential(folder)


def _crash_message(exc):
    """What the user sees of an unexpected error: its first line, never a database statement."""
    if type(exc).__module__.split(".")[0] in ("sqlalchemy", "psycopg", "psycopg2", "sqlite3"):
        text = "a database error; the administrator can find details in the worker's log"
    else:
        text = str(exc).split("\n", 1)[0][:300].replace("\x00", "\\x00")
    return f"Internal error while running the job ({type(exc).__name__}: {text})."


def _claim(runtime, job_id, dispatch_id, hostname):
    """Atomically mark the job running for this dispatch; False if it is not ours to run.

    A job can be claimed when it is queued, or running with a stale heartbeat (its
    message came back after the worker died). A stale dispatch id (the job was
    re-sent since) or a finished job means this message is dropped.
    """
    stale_before = utcnow() - timedelta(seconds=float(runtime.settings["JOB_STALE_SECONDS"]))
    now = utcnow()
    with runtime.db.session() as session:
        claimed = session.execute(
            update(Job)
            .where(
                Job.id == job_id,
                Job.dispatch_id == dispatch_id,
                or_(
                    Job.state == JobState.QUEUED.value,
                    (Job.state == JobState.RUNNING.value)
                    & or_(Job.heartbeat_at.is_(None), Job.heartbeat_at < stale_before),
                ),
            )
            .values(
                state=JobState.RUNNING.value,
                attempts=Job.attempts + 1,
                worker=hostname,
                started_at=now,
                heartbeat_at=now,
                progress_message="started",
            )
        ).rowcount
        if not claimed:
            state = session.execute(select(Job.state).where(Job.id == job_id)).scalar()
            log.info("dropping message for job %s (dispatch %s, state %s)", job_id, dispatch_id, state)
    return bool(claimed)


def _finish(runtime, job_id, dispatch_id, state, result=None, error=None, message=None):
    values = {"state": state.value, "finished_at": utcnow(), "error": error}
    if state == JobState.SUCCEEDED:
        values.update(result=result, progress=1.0, progress_message="done")
    elif message:
        values["progress_message"] = message
    with runtime.db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.dispatch_id == dispatch_id, Job.state == JobState.RUNNING.value)
            .values(**values)
        )
