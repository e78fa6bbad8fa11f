"""``cortico serve``: the web app (gunicorn) plus a supervised local job worker."""

import os
import signal
import subprocess
import sys
import time

import click

from cortico.db import upgrade_schema
from cortico.settings import load_settings

__all__ = ["serve"]

_GRACE_SECONDS = 10


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--instance", type=click.Path(file_okay=False), default=None,
              help="Instance folder: database, uploads, results, config.py "
                   "(default: $INSTANCE_PATH or ~/.local/share/cortico).")
@click.option("--web-workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
@click.option("--concurrency", default=None, type=int,
              help="Jobs the local worker runs at once (default: number of cores).")
@click.option("--worker/--no-worker", default=True, show_default=True,
              help="Start a local job worker (turn off when `cortico worker`s run elsewhere).")
def serve(host, port, instance, web_workers, concurrency, worker):
    """Start the web service and its job worker.

    Without configuration this is the embedded mode: an SQLite database and a
    file-based job queue in the instance folder, nothing else to install. With
    CORTICO_DATABASE_URL / CORTICO_BROKER_URL set, the same command serves a
    distributed deployment. The worker is restarted if it dies; SIGTERM or Ctrl-C
    stops both.
    """
    settings = load_settings(instance)
    upgrade_schema(settings["DATABASE_URL"])
    env = dict(os.environ, INSTANCE_PATH=settings["INSTANCE_PATH"])
    web_cmd = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
               "--workers", str(web_workers), "--threads", "4", "--timeout", "300",
               "--graceful-timeout", str(_GRACE_SECONDS), "--access-logfile", "-",
               "cortico.web:create_app()"]
    worker_cmd = [sys.executable, "-m", "cortico", "worker", "--name", f"cortico-serve-{os.getpid()}@%h"]
    if concurrency:
        worker_cmd += ["--concurrency", str(concurrency)]

    processes = {"web": subprocess.Popen(web_cmd, env=env)}
    if worker:
        processes["worker"] = subprocess.Popen(worker_cmd, env=env)
    mode = "distributed" if settings.get("BROKER_URL") else "embedded"
    click.echo(f"cortico is running at http://{host}:{port}/ ({mode} mode, instance "
               f"{settings['INSTANCE_PATH']}); press Ctrl-C to stop.", err=True)

    stopping = []

    def request_stop(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    exit_code = _supervise(processes, worker_cmd, env, stopping)
    _stop_all(processes)
    sys.exit(exit_code)


def _supervise(processes, worker_cmd, env, stopping):
    """Restart a dead worker (with back-off); return when asked to stop or the web dies."""
    restarts = 0
    while not stopping:
        time.sleep(0.5)
        if processes["web"].poll() is not None:
            click.echo("the web server stopped; shutting down", err=True)
            return 1
        worker = processes.get("worker")
        if worker is not None and worker.poll() is not None:
            restarts += 1
            delay = min(30, 2 ** min(restarts, 5))
            click.echo(f"job worker exited ({worker.returncode}); restarting in {delay} s", err=True)
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and not stopping:
                time.sleep(0.2)
            if not stopping:
                processes["worker"] = subprocess.Popen(worker_cmd, env=env)
    return 0


def _stop_all(processes):
    """SIGTERM, then after a grace period a cold stop; never leave a child behind."""
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + _GRACE_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            # Celery's cold shutdown; unfinished jobs are re-sent when a worker starts again.
            process.send_signal(signal.SIGQUIT if name == "worker" else signal.SIGKILL)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
