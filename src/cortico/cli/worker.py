"""``cortico worker``: a supervised Celery job worker."""

import os
import signal
import sys

import click

from cortico.cli._supervisor import Child, celery_worker_command, supervise

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
def worker(concurrency, loglevel, name, instance):
    """Run a job worker (restarted automatically if it exits unexpectedly).

    Point it at the shared database and storage folder (CORTICO_DATABASE_URL,
    CORTICO_STORAGE_PATH) and at the broker (CORTICO_BROKER_URL=redis://...);
    start as many as you like, on any machine. Without a broker URL it serves the
    embedded file-based queue of this instance folder.
    """
    from cortico.settings import load_settings

    settings = load_settings(instance)
    env = dict(os.environ, INSTANCE_PATH=settings["INSTANCE_PATH"])
    command = celery_worker_command(concurrency, name, loglevel, embedded=not settings.get("BROKER_URL"))
    # Celery's cold shutdown after the grace period; unfinished jobs are re-sent later.
    child = Child("job worker", command, env, stop_signal=signal.SIGTERM, last_signal=signal.SIGQUIT)
    sys.exit(supervise([child]))
