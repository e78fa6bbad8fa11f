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

    @property
    def db(self):
        if self._db is None or self._pid != os.getpid():
            self._db = Database(self.settings["DATABASE_URL"])
            self._pid = os.getpid()
        return self._db

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
