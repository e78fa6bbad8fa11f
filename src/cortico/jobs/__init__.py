"""Jobs adapter: Celery tasks that run the domain core and report into the Job record.

One task code path (``cortico.run_job``) serves the embedded default (filesystem
broker, a local worker started by ``cortico serve``) and the distributed mode
(Redis broker, ``cortico worker`` processes on any number of machines).
"""

from cortico.jobs._celery import embedded_broker_folders, make_celery
from cortico.jobs._context import JobContext
from cortico.jobs._dispatch import cancel_job, recover_orphaned_jobs, submit_job
from cortico.jobs._registry import JobKind, get_kind, job_kinds, register_kind
from cortico.jobs._retention import delete_finished_job, purge_expired, register_purger
from cortico.jobs._runtime import JobRuntime

__all__ = [
    "JobContext",
    "JobKind",
    "JobRuntime",
    "cancel_job",
    "delete_finished_job",
    "embedded_broker_folders",
    "get_kind",
    "job_kinds",
    "make_celery",
    "purge_expired",
    "recover_orphaned_jobs",
    "register_kind",
    "register_purger",
    "submit_job",
]
