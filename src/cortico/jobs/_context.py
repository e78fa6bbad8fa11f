"""The object a running job reports through: progress, heartbeat, cancellation."""

import threading
import time

from sqlalchemy import update

from cortico.db import Job, JobState
from cortico.db.models import utcnow
from cortico.exceptions import JobCancelled

__all__ = ["JobContext", "progress_text"]


def progress_text(step, done, total, detail=None):
    """``"image 3 of 8: sub-01, Left lateral"``: a job's progress in words, from its numbers."""
    text = f"{step} {done} of {total}"
    return f"{text}: {detail}" if detail else text


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
        numbers = {"done": int(done), "total": int(total), "step": None} if total else {}
        self._record(fraction, message, numbers, force)

    def step_progress(self, step, done, total, detail=None, fraction=None, force=False):
        """Record ``done`` of ``total`` units of ``step`` (e.g. ``"image"``, 3, 8).

        The job's text is derived from the numbers (:func:`progress_text`); ``fraction``
        is the whole job's share done (default ``done / total``). Raises
        :class:`~cortico.exceptions.JobCancelled` like :meth:`progress`.
        """
        if fraction is None:
            fraction = done / total if total else 0.0
        numbers = {"done": int(done), "total": int(total), "step": step}
        self._record(fraction, progress_text(step, done, total, detail), numbers, force)

    def _record(self, fraction, message, numbers, force):
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval and fraction < 1.0:
            self.check_cancelled()
            return
        self._last_write = now
        values = {"progress": max(0.0, min(1.0, fraction)), "heartbeat_at": utcnow(), **numbers}
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
