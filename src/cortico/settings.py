"""Configuration shared by the web process, the workers and the CLI.

Precedence, lowest first: built-in defaults < ``config.py`` in the instance folder
< the file named by ``CORTICO_SETTINGS`` < ``CORTICO_*`` environment variables
(values parsed as JSON when they are valid JSON, e.g. ``CORTICO_PROXY_FIX='{"x_for": 1}'``).
The instance folder is ``INSTANCE_PATH`` (as in the seed backend) or
``~/.local/share/cortico``.
"""

import os
import secrets
from pathlib import Path

from flask import Config

__all__ = ["DEFAULTS", "default_instance_path", "load_settings"]

DEFAULTS = {
    # Storage. None = derived from the instance folder.
    "DATABASE_URL": None,  # default: sqlite:///<instance>/cortico.sqlite3
    "STORAGE_PATH": None,  # default: <instance>/storage
    # Jobs. None broker = embedded mode (filesystem broker under the instance folder).
    "BROKER_URL": None,
    "RESULT_BACKEND": None,  # job results live in the database; Celery results are optional
    "BROKER_VISIBILITY_TIMEOUT": 24 * 3600,  # Redis: must exceed the longest job
    "WORKER_CONCURRENCY": None,  # default: number of cores
    "JOB_MODULES": [],  # extra modules that register job kinds (plugins)
    "JOB_HEARTBEAT_SECONDS": 10.0,
    "JOB_STALE_SECONDS": 90.0,  # a running job without heartbeat this long is orphaned
    "JOB_MAX_ATTEMPTS": 2,  # runs of an orphaned job before it is failed
    "JOB_TIME_LIMIT_SECONDS": 6 * 3600,
    "WORKER_HEALTH_TIMEOUT_SECONDS": 5.0,
    "JOB_REQUEUE_SECONDS": 60.0,  # a queued job no broker holds a message for is re-sent after this
    "JOB_STOP_GRACE_SECONDS": 60.0,  # a stopping worker lets running jobs finish this long, then hands them back
    "WORKER_PICKUP_SECONDS": 180.0,  # worker health fails when a queued job waits this long beside an idle worker
    # Web
    "SECRET_KEY": None,  # default: generated once into <instance>/secret_key
    "CORS_ORIGINS": None,  # regex matching whole allowed origins, e.g. r"https://.*\.ebrains\.eu"
    "CORS_MAX_AGE": 600,
    "PROXY_FIX": None,  # werkzeug ProxyFix keyword arguments, e.g. {"x_for": 1, "x_proto": 1}
    "WEB_HEADER_TIMEOUT_SECONDS": 10.0,  # cortico serve: a client must send its request headers within this
    "MAX_CONTENT_LENGTH": 512 * 1024 * 1024,  # bytes per request (uploads)
    "MAX_JSON_BYTES": 32 * 1024 * 1024,  # bytes of a JSON request body
    "RETENTION_SECONDS": 7 * 24 * 3600,  # results and uploads expire after this
    "RETENTION_SWEEP_SECONDS": 600,  # how often workers delete expired results
    "HOME_EXAMPLES": True,  # `cortico serve` paints the home page's example figures once
    "MAX_JOBS_IN_FLIGHT": 20,  # queued + running jobs per user
    "ALLOW_ANONYMOUS": True,  # browser users without an account get a per-session owner
    "ANONYMOUS_MAX_JOBS_IN_FLIGHT": 20,  # unfinished jobs of all anonymous owners together
    "ANONYMOUS_MAX_JOBS_PER_ADDRESS": 4,  # unfinished jobs of anonymous owners from one client address
    # Image store and alignment (issue 7)
    "IMAGE_MAX_UNCOMPRESSED_BYTES": 4 << 30,  # largest volume accepted, uncompressed (gzip-bomb guard)
    "IMAGE_CONVERT_INLINE_MAX_BYTES": 16 << 20,  # larger viewer copies are written by a job, not the upload request
    "IMAGE_QUOTA_BYTES": 20 << 30,  # disk a registered user's volumes may use (files + viewer copies)
    "IMAGE_QUOTA_COUNT": 500,  # volumes a registered user may store
    "ANONYMOUS_IMAGE_QUOTA_BYTES": 2 << 30,  # the same for an anonymous browser session
    "ANONYMOUS_IMAGE_QUOTA_COUNT": 20,
    "IMAGE_RETENTION_SECONDS": None,  # registered users' volumes expire after this; None = kept
    "IMAGE_SERVICE_ALIASES": [],  # other base URLs that mean this server's own /image-service/
    "REMOTE_IMAGE_SERVICES": None,  # regex of remote Chumni base URLs jobs may use; None = none
    "TEMPLATE_DEPTH_PATH": None,  # template depth map for alignment; None = fsaverage, computed once
    "DEPTH_MAX_UNDEFINED_FRACTION": 0.01,  # a depth job fails when more cortex voxels than this have no depth
    "DEPTH_MAX_MEMORY_BYTES": 8 << 30,  # depth jobs refuse grids needing more (checked from the header)
    # Brain painting limits (enforced before a job is queued: 413 for sizes, 422 otherwise)
    "PAINT_MAX_UPLOAD_BYTES": 5 * 1024 * 1024,  # largest values CSV
    "PAINT_MAX_COLUMNS": 2000,  # value columns of a values table
    "PAINT_MAX_ROWS": 500,  # data rows (images sets) per job
    "PAINT_MAX_IMAGES": 2000,  # rows x views per job
    "PAINT_MAX_SIDE": 4096,  # largest image width or height in pixels
    "PAINT_MAX_MOVIE_FRAMES": 600,  # rows + interpolated frames of a movie
    "PAINT_PROCESSES": None,  # rendering processes per paint job (default: number of cores)
    "ATLAS_MAX_UPLOAD_BYTES": 100 * 1024 * 1024,  # largest file of an atlas import (labels, volume, table)
}


def default_instance_path():
    """Return the instance folder: ``$INSTANCE_PATH`` or ``~/.local/share/cortico``."""
    env = os.environ.get("INSTANCE_PATH")
    if env:
        return Path(env).expanduser().resolve()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return (Path(base) / "cortico").resolve()


def load_settings(instance_path=None, overrides=None):
    """Load the configuration with the documented precedence.

    Parameters
    ----------
    instance_path : path-like, optional
        Instance folder; default :func:`default_instance_path`.
    overrides : dict, optional
        Highest-precedence values (used by tests and ``create_app(test_config)``).

    Returns
    -------
    flask.Config
        A dict with every key of :data:`DEFAULTS` resolved, plus ``INSTANCE_PATH``.
    """
    instance = Path(instance_path) if instance_path else default_instance_path()
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    config = Config(str(instance), DEFAULTS)
    config.from_pyfile("config.py", silent=True)
    if os.environ.get("CORTICO_SETTINGS"):
        config.from_envvar("CORTICO_SETTINGS")
    config.from_prefixed_env("CORTICO")
    config.update(overrides or {})
    config["INSTANCE_PATH"] = str(instance)
    _derive_defaults(config, instance)
    return config


def _derive_defaults(config, instance):
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'cortico.sqlite3'}"
    if not config.get("STORAGE_PATH"):
        config["STORAGE_PATH"] = str(instance / "storage")
    Path(config["STORAGE_PATH"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance)
    if isinstance(config.get("JOB_MODULES"), str):
        config["JOB_MODULES"] = [m for m in config["JOB_MODULES"].split(",") if m]


def _instance_secret(instance):
    """Generate the session-signing key once and keep it private in the instance folder."""
    path = instance / "secret_key"
    if not path.exists():
        # Written aside and linked into place: concurrent starters agree on one key.
        tmp = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
