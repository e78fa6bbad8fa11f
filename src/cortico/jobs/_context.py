"""The object a running job reports through: progress, heartbeat, cancellation."""

import threading
import time

from sqlalchemy import update

from cortico.db import Job, JobState
from cortico.db.models import utcnow
from cortico.exceptions import JobCancelled

__all__ = ["JobContext"]


class JobContext:
    """Handed to ``JobKind.run``; every write is conditional on still owning the job.

    Parameters
    ----------
    runtime : JobRuntime
    job_id, dispatch_id : str
        The claimed job and the dispatch this process runs it under.
    """

    #: Minimum seconds between two progress writes (the last one is always written).
    min_interval = 0.2

    def __init__(self, runtime, job_id, dispatch_id):
        self.runtime = runtime
        self.job_id = job_id
        self.dispatch_id = dispatch_id
        self.folder = runtime.job_folder(job_id)
        self._last_write = 0.0
        self._cancelled = threading.Event()
        self._stop = threading.Event()
        self._heartbeat = None

    def progress(self, done, total=None, message=None, force=False):
        """Record progress: ``done`` of ``total`` (or a fraction when total is None).

        Raises :class:`~cortico.exceptions.JobCancelled` when the owner cancelled
        the job, so the work stops at the next progress report.
        """
        fraction = done / total if total else float(done)
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval and fraction < 1.0:
            self.check_cancelled()
            return
        self._last_write = now
        values = {"progress": max(0.0, min(1.0, fraction)), "heartbeat_at": utcnow()}
        if message is not None:
            values["progress_message"] = message
        if not self._write(values):
            raise JobCancelled("The job was cancelled.")

    def check_cancelled(self):
        """Raise JobCancelled if the job was cancelled (seen by the heartbeat)."""
        if self._cancelled.is_set():
            raise JobCancelled("The job was cancelled.")

    def _write(self, values):
        with self.runtime.db.session() as session:
            result = session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.dispatch_id == self.dispatch_id, Job.state == JobState.RUNNING.value)
                .values(**values)
            )
        if result.rowcount == 0:
            self._cancelled.set()
            return False
        return True

    def start_heartbeat(self, interval):
        """Touch ``heartbeat_at`` every ``interval`` s in a thread while the job runs."""

        def beat():
            while not self._stop.wait(interval):
                try:
                    self._write({"heartbeat_at": utcnow()})
                except Exception:  # a transient database error must not kill the job
                    continue

        self._heartbeat = threading.Thread(target=beat, name=f"heartbeat-{self.job_id}", daemon=True)
        self._heartbeat.start()

    def stop_heartbeat(self):
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
