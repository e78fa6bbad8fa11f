"""What a job process needs besides Celery: settings, database, storage."""

import os
import socket
from functools import cached_property
from pathlib import Path

from cortico.db import Database

__all__ = ["JobRuntime"]


class JobRuntime:
    """Settings-derived resources shared by the dispatcher and the workers.

    The database handle is created lazily, per process (a forked worker child must
    not reuse the parent's connections).
    """

    def __init__(self, settings):
        self.settings = settings
        self._pid = None
        self._db = None
        self._inherited = None

    @property
    def db(self):
        if self._db is None or self._pid != os.getpid():
            self.forget_parent_connections()
            self._db = Database(self.settings["DATABASE_URL"])
            self._pid = os.getpid()
        return self._db

    def forget_parent_connections(self):
        """In a forked child: drop the parent's pooled connections without closing them.

        Closing an inherited PostgreSQL connection would end the parent's session too.
        """
        if self._db is not None and self._pid != os.getpid():
            self._db.engine.dispose(close=False)
            self._inherited = self._db  # kept referenced: never finalised in the child
            self._db = None

    @cached_property
    def storage(self):
        return Path(self.settings["STORAGE_PATH"])

    def job_folder(self, job_id):
        """Folder of a job's files (``<storage>/jobs/<id>``), created on demand."""
        folder = self.storage / "jobs" / job_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @property
    def embedded(self):
        """True when jobs run on the embedded filesystem broker (one local worker)."""
        return not self.settings.get("BROKER_URL")

    @staticmethod
    def hostname():
        return f"{socket.gethostname()}:{os.getpid()}"
