"""Build the Celery app for the embedded or the distributed mode.

The two modes differ only in the broker: the embedded default uses kombu's
filesystem transport with atomic writes (``_fs_transport``) under the instance
folder (nothing to install), the
distributed mode a Redis URL (``CORTICO_BROKER_URL=redis://host:6379/0``). Job
state and results live in the database, so no Celery result backend is needed.
"""

import multiprocessing
from pathlib import Path

from celery import Celery

from cortico.jobs import _fs_transport as fs_transport
from cortico.jobs._registry import import_kind_modules
from cortico.jobs._runtime import JobRuntime

__all__ = ["make_celery", "embedded_broker_folders"]


def embedded_broker_folders(settings):
    """Folders of the filesystem broker: messages and control (revoke/ping)."""
    root = Path(settings["INSTANCE_PATH"]) / "broker"
    folders = {"data": root / "queue", "control": root / "control"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def make_celery(settings):
    """Create the Celery app configured from cortico ``settings``.

    The app carries a :class:`JobRuntime` as ``app.cortico`` (database, storage),
    which the task and the dispatcher use.
    """
    app = Celery("cortico", set_as_current=True)
    time_limit = float(settings["JOB_TIME_LIMIT_SECONDS"])
    conf = {
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_ignore_result": True,
        "task_soft_time_limit": time_limit,
        "task_time_limit": time_limit + 60,
        "worker_concurrency": settings.get("WORKER_CONCURRENCY") or multiprocessing.cpu_count(),
        "worker_hijack_root_logger": False,
        "broker_connection_retry_on_startup": True,
        # A web request that queues a job waits at most a few seconds for a broker that is down.
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 1.0,
        },
        "task_default_queue": "cortico",
        "imports": ["cortico.jobs.tasks"],
    }
    if settings.get("BROKER_URL"):
        conf["broker_url"] = settings["BROKER_URL"]
        # Our claim protocol drops duplicates of running jobs, so the timeout only
        # bounds how long a message taken by a killed worker waits to come back.
        conf["broker_transport_options"] = {"visibility_timeout": settings["BROKER_VISIBILITY_TIMEOUT"]}
    else:
        folders = embedded_broker_folders(settings)
        conf["broker_url"] = f"{fs_transport.SCHEME}://"
        conf["broker_transport_options"] = {
            "data_folder_in": str(folders["data"]),
            "data_folder_out": str(folders["data"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
            "polling_interval": 0.1,
        }
    if settings.get("RESULT_BACKEND"):
        conf["result_backend"] = settings["RESULT_BACKEND"]
    app.conf.update(conf)
    app.cortico = JobRuntime(settings)
    import_kind_modules(settings.get("JOB_MODULES") or [])
    import cortico.jobs.tasks  # noqa: F401  (registers the task on this app)
    from cortico.jobs import _worker_signals  # noqa: F401  (connects worker start-up hooks)

    return app
