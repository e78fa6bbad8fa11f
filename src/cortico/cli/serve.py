"""``cortico serve``: the web app (gunicorn) plus a supervised local job worker."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

import click

from cortico.cli._privileges import run_as, user_option
from cortico.cli._supervisor import GRACE_SECONDS, Child, celery_worker_command, supervise, worker_grace
from cortico.cli._web_worker import HEADER_TIMEOUT_ENV

__all__ = ["serve"]

# The worker starts once the web answers, or after this long if it cannot be reached.
WORKER_START_LATEST_SECONDS = 60


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--instance",
    type=click.Path(file_okay=False),
    default=None,
    help="Instance folder: database, uploads, results, config.py (default: $INSTANCE_PATH or ~/.local/share/cortico).",
)
@click.option("--web-workers", default=2, show_default=True, type=int, help="gunicorn worker processes.")
@click.option(
    "--web-threads",
    default=8,
    show_default=True,
    type=int,
    help="Request threads per web worker process (a slow client holds one at most WEB_HEADER_TIMEOUT_SECONDS "
    "while sending its headers).",
)
@click.option(
    "--max-requests",
    default=2000,
    show_default=True,
    type=int,
    help="Restart a web worker process after this many requests (plus up to 10 % jitter); 0 = never.",
)
@click.option(
    "--concurrency", default=None, type=int, help="Jobs the local worker runs at once (default: number of cores)."
)
@click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Start a local job worker (turn off when `cortico worker`s run elsewhere).",
)
@user_option
def serve(host, port, instance, web_workers, web_threads, max_requests, concurrency, worker, run_as_user):
    """Start the web service and its job worker.

    Without configuration this is the embedded mode: an SQLite database and a
    file-based job queue in the instance folder, nothing else to install. With
    CORTICO_DATABASE_URL / CORTICO_BROKER_URL set, the same command serves a
    distributed deployment. The worker is restarted if it dies; SIGTERM or Ctrl-C
    stops both (running jobs get JOB_STOP_GRACE_SECONDS to finish, then go back to
    the queue). Exposed directly, it closes connections that do not send their
    headers within WEB_HEADER_TIMEOUT_SECONDS; behind the Internet, put a buffering
    proxy (nginx, see the README) in front.
    """
    run_as(run_as_user)
    from cortico.db import upgrade_schema
    from cortico.settings import load_settings

    settings = load_settings(instance)
    upgrade_schema(settings["DATABASE_URL"])
    env = dict(os.environ, INSTANCE_PATH=settings["INSTANCE_PATH"])
    env[HEADER_TIMEOUT_ENV] = str(settings["WEB_HEADER_TIMEOUT_SECONDS"])
    web_cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(web_workers),
        # gthread with a deadline on headers: slow clients cannot take every thread.
        "--worker-class",
        "cortico.cli._web_worker.HeaderDeadlineWorker",
        "--threads",
        str(web_threads),
        "--timeout",
        "300",
        "--graceful-timeout",
        str(GRACE_SECONDS),
        "--keep-alive",
        "5",
        "--max-requests",
        str(max_requests),
        "--max-requests-jitter",
        str(max_requests // 10),
        # No control socket: several instances on one machine must not share one.
        "--no-control-socket",
        "--access-logfile",
        "-",
        "--logger-class",  # no token, query string or capability id in the access log
        "cortico.web._access_log.RedactingLogger",
        # The app is built once and forked into the web workers: ready sooner, less memory.
        "--preload",
        "cortico.web:create_app()",
    ]
    worker_cmd = celery_worker_command(
        concurrency, f"cortico-serve-{os.getpid()}@%h", embedded=not settings.get("BROKER_URL")
    )

    children = [Child("web server", web_cmd, env, essential=True)]
    if worker:
        # Started once the web answers, so that its imports do not slow the web start.
        web_ready = _answers_or_after(_health_url(host, port), time.monotonic() + WORKER_START_LATEST_SECONDS)
        children.append(
            Child(
                "job worker",
                worker_cmd,
                env,
                last_signal=signal.SIGQUIT,
                grace=worker_grace(settings),
                start_when=web_ready,
            )
        )
    if settings["HOME_EXAMPLES"]:
        children.append(_example_figures(settings["INSTANCE_PATH"], env))
    mode = "distributed" if settings.get("BROKER_URL") else "embedded"
    click.echo(
        f"cortico is running at http://{host}:{port}/ ({mode} mode, instance "
        f"{settings['INSTANCE_PATH']}); press Ctrl-C to stop.",
        err=True,
    )
    sys.exit(supervise(children))


def _example_figures(instance_path, env):
    """Paint the home page's example figures once (they are kept), at the lowest priority."""
    folder = os.path.join(instance_path, "examples")
    return Child(
        "example figures",
        [sys.executable, "-m", "cortico", "examples", "--if-missing", "--out", folder],
        env,
        once=True,
        stdout=open(os.path.join(instance_path, "examples.log"), "ab"),
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.nice(19),
    )


def _health_url(host, port):
    probe = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    return f"http://[{probe}]:{port}/health" if ":" in probe else f"http://{probe}:{port}/health"


def _answers_or_after(url, deadline):
    """A predicate: ``url`` answers 200, or ``deadline`` (monotonic) has passed."""

    def ready():
        if time.monotonic() >= deadline:
            return True
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    return ready
