"""Worker hooks: heartbeat and capacity, recovery of lost jobs, graceful stop.

The housekeeping thread of each worker's main process beats the worker's
heartbeat (with its capacity, so health can tell an idle worker that takes no
work), re-sends jobs whose worker died, re-sends queued jobs whose broker message
is gone, and expires old results. On a warm stop (SIGTERM) running jobs get
``JOB_STOP_GRACE_SECONDS`` to finish; after that they are handed back to the
queue without spending an attempt.
"""

import logging
import threading
import time

from celery.signals import worker_ready, worker_shutdown, worker_shutting_down
from sqlalchemy import delete, func, select

from cortico.db import Job, JobState, Worker
from cortico.db.models import utcnow
from cortico.jobs._dispatch import hand_back_jobs, recover_orphaned_jobs, requeue_lost_jobs, send_dispatches
from cortico.jobs._retention import purge_expired

log = logging.getLogger(__name__)

_stop = threading.Event()
_current = {}


@worker_ready.connect(weak=False)
def _on_worker_ready(sender, **_):
    app = sender.app
    runtime = app.cortico
    controller = getattr(sender, "controller", None)
    concurrency = int(getattr(controller, "concurrency", None) or app.conf.worker_concurrency or 1)
    _current.update(app=app, hostname=sender.hostname)
    interval = max(0.5, float(runtime.settings["JOB_HEARTBEAT_SECONDS"]) / 2)
    thread = threading.Thread(
        target=_housekeeping,
        args=(app, sender.hostname, concurrency, interval),
        name="cortico-housekeeping",
        daemon=True,
    )
    thread.start()


@worker_shutting_down.connect(weak=False)
def _on_worker_shutting_down(sender, how=None, **_):
    """Warm stop: let running jobs finish for a while, then hand them back."""
    app, hostname = _current.get("app"), _current.get("hostname")
    if app is None or how == "Cold":
        return
    _current["stopping"] = True  # no more re-sends from here: this worker would take them itself
    grace = float(app.cortico.settings["JOB_STOP_GRACE_SECONDS"])

    def hand_back():
        try:
            handed = hand_back_jobs(app, hostname)
        except Exception as exc:
            log.error("could not hand back running jobs: %s", exc)
            return
        _current.setdefault("handed_back", []).extend(handed)
        if handed:
            names = ", ".join(job_id for job_id, _ in handed)
            log.warning("stop: handed %d running job(s) back to the queue: %s", len(handed), names)

    timer = threading.Timer(grace, hand_back)
    timer.daemon = True
    timer.start()


@worker_shutdown.connect(weak=False)
def _on_worker_shutdown(sender, **_):
    _stop.set()
    # Sent only now that this worker takes no more messages (else it would run them again).
    send_dispatches(sender.app, _current.pop("handed_back", []))
    try:
        runtime = sender.app.cortico
        with runtime.db.session() as session:
            session.execute(delete(Worker).where(Worker.hostname == sender.hostname))
    except Exception as exc:
        log.warning("could not remove worker heartbeat: %s", exc)


def _locally_taken():
    """Dispatch ids this worker has taken from the broker (reserved or running)."""
    from celery.worker import state

    for _ in range(5):
        try:
            return {request.id for request in list(state.reserved_requests) + list(state.active_requests)}
        except RuntimeError:  # changed while copying
            continue
    return set()


def _housekeeping(app, hostname, concurrency, interval):
    runtime = app.cortico
    started = utcnow()
    sweep_every = float(runtime.settings["RETENTION_SWEEP_SECONDS"])
    reconcile_every = max(interval, min(10.0, float(runtime.settings["JOB_REQUEUE_SECONDS"]) / 2))
    next_sweep = next_reconcile = 0.0
    free_since = None
    while not _stop.is_set():
        try:
            with runtime.db.session() as session:
                running = session.execute(
                    select(func.count())
                    .select_from(Job)
                    .where(Job.worker == hostname, Job.state == JobState.RUNNING.value)
                ).scalar()
            now = utcnow()
            free_since = (free_since or now) if running < concurrency else None
            info = {
                "embedded": runtime.embedded,
                "concurrency": concurrency,
                "running": running,
                "free_since": free_since.isoformat() if free_since else None,
            }
            with runtime.db.session() as session:
                session.merge(Worker(hostname=hostname, last_seen=now, started_at=started, info=info))
            recover_orphaned_jobs(app)
            if time.monotonic() >= next_reconcile and not _current.get("stopping"):
                next_reconcile = time.monotonic() + reconcile_every
                requeue_lost_jobs(app, also_held=_locally_taken())
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + sweep_every
                purge_expired(runtime)
        except Exception as exc:  # keep beating through transient database errors
            log.warning("worker housekeeping failed: %s", exc)
        _stop.wait(interval)
