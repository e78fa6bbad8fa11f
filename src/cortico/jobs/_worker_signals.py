"""Worker start-up hooks: worker heartbeat, recovery of orphaned jobs."""

import logging
import threading
import time

from celery.signals import worker_ready, worker_shutdown
from sqlalchemy import delete

from cortico.db import Worker
from cortico.db.models import utcnow
from cortico.jobs._dispatch import recover_orphaned_jobs
from cortico.jobs._retention import purge_expired

log = logging.getLogger(__name__)

_stop = threading.Event()


@worker_ready.connect(weak=False)
def _on_worker_ready(sender, **_):
    app = sender.app
    runtime = app.cortico
    hostname = sender.hostname
    if runtime.embedded:
        resent = recover_orphaned_jobs(app, all_unfinished=True)
        if resent:
            log.warning("embedded worker re-sent %d unfinished job(s)", len(resent))
    interval = max(1.0, float(runtime.settings["JOB_HEARTBEAT_SECONDS"]) / 2)
    thread = threading.Thread(
        target=_housekeeping, args=(app, hostname, interval), name="cortico-housekeeping", daemon=True
    )
    thread.start()


@worker_shutdown.connect(weak=False)
def _on_worker_shutdown(sender, **_):
    _stop.set()
    try:
        runtime = sender.app.cortico
        with runtime.db.session() as session:
            session.execute(delete(Worker).where(Worker.hostname == sender.hostname))
    except Exception as exc:
        log.warning("could not remove worker heartbeat: %s", exc)


def _housekeeping(app, hostname, interval):
    """Beat the worker's heartbeat, re-send jobs whose worker died, expire old results."""
    runtime = app.cortico
    started = utcnow()
    sweep_every = float(runtime.settings["RETENTION_SWEEP_SECONDS"])
    next_sweep = 0.0
    while not _stop.is_set():
        try:
            with runtime.db.session() as session:
                session.merge(
                    Worker(
                        hostname=hostname, last_seen=utcnow(), started_at=started, info={"embedded": runtime.embedded}
                    )
                )
            recover_orphaned_jobs(app)
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + sweep_every
                purge_expired(runtime)
        except Exception as exc:  # keep beating through transient database errors
            log.warning("worker housekeeping failed: %s", exc)
        _stop.wait(interval)
