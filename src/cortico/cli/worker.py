"""``cortico worker``: a supervised Celery job worker."""

import os
import signal
import sys

import click

from cortico.cli._privileges import run_as, user_option
from cortico.cli._supervisor import Child, celery_worker_command, supervise, worker_grace

__all__ = ["worker"]


@click.command()
@click.option(
    "-c",
    "--concurrency",
    type=int,
    default=None,
    help="Jobs run at once (default: WORKER_CONCURRENCY or the number of cores).",
)
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--name", default=None, help="Worker node name (default: cortico-<pid>@<host>).")
@click.option(
    "--instance",
    type=click.Path(file_okay=False),
    default=None,
    help="Instance folder (default: $INSTANCE_PATH or ~/.local/share/cortico).",
)
@user_option
def worker(concurrency, loglevel, name, instance, run_as_user):
    """Run a job worker (restarted automatically if it exits unexpectedly).

    Point it at the shared database and storage folder (CORTICO_DATABASE_URL,
    CORTICO_STORAGE_PATH) and at the broker (CORTICO_BROKER_URL=redis://...);
    start as many as you like, on any machine. Without a broker URL it serves the
    embedded file-based queue of this instance folder. SIGTERM stops it
    gracefully: running jobs get JOB_STOP_GRACE_SECONDS to finish, then go back to
    the queue without counting as an attempt.
    """
    run_as(run_as_user)
    from cortico.settings import load_settings

    settings = load_settings(instance)
    env = dict(os.environ, INSTANCE_PATH=settings["INSTANCE_PATH"])
    command = celery_worker_command(concurrency, name, loglevel, embedded=not settings.get("BROKER_URL"))
    # Warm stop: running jobs finish within JOB_STOP_GRACE_SECONDS or are handed back to the
    # queue; Celery's cold shutdown only if the worker still has not exited after that.
    child = Child(
        "job worker",
        command,
        env,
        stop_signal=signal.SIGTERM,
        last_signal=signal.SIGQUIT,
        grace=worker_grace(settings),
    )
    sys.exit(supervise([child]))
