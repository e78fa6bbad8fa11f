"""Run child processes, restart the ones that die, stop them all on SIGTERM/SIGINT.

Used by ``cortico serve`` (web + worker) and ``cortico worker``: a Celery worker
can exit on its own (e.g. kombu gives up when the broker connection drops), and
a job service must not stay without workers because of that.
"""

import signal
import subprocess
import sys
import time

import click

__all__ = ["Child", "celery_worker_command", "supervise", "worker_grace"]

GRACE_SECONDS = 10
# Beyond JOB_STOP_GRACE_SECONDS: time for a stopping worker to hand its jobs back and exit.
HAND_BACK_SECONDS = 30


class Child:
    """A supervised command; ``essential`` children end the supervisor when they die, ``once``
    children run to their end and are not restarted (all are stopped with the supervisor).

    On stop it gets ``stop_signal``, then ``last_signal`` after ``grace`` seconds.
    ``start_when`` (optional) is asked every few tenths of a second before the first
    start; the child starts once it returns true (e.g. when another child is ready).
    """

    def __init__(
        self,
        name,
        command,
        env,
        essential=False,
        stop_signal=signal.SIGTERM,
        last_signal=signal.SIGKILL,
        grace=GRACE_SECONDS,
        once=False,
        start_when=None,
        **popen,
    ):
        self.name, self.command, self.env, self.essential = name, command, env, essential
        self.stop_signal, self.last_signal, self.grace = stop_signal, last_signal, float(grace)
        self.once, self.popen, self.start_when = once, popen, start_when
        self.process = None
        self.restarts = 0

    def may_start(self):
        """Whether the first start may happen now (restarts never wait for ``start_when``)."""
        return self.start_when is None or self.start_when()

    def start(self):
        self.start_when = None
        self.process = subprocess.Popen(self.command, env=self.env, **self.popen)


def celery_worker_command(concurrency=None, name=None, loglevel="INFO", embedded=True):
    """The Celery worker command line for cortico's single queue."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "cortico.celery_app",
        "worker",
        "--loglevel",
        loglevel,
        "-Q",
        "cortico",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        name or "cortico-%p@%h",
    ]
    if embedded:
        command.append("--without-heartbeat")
    if concurrency:
        command += ["--concurrency", str(concurrency)]
    return command


def supervise(children):
    """Start ``children`` and keep them running until SIGTERM/SIGINT; returns the exit code."""
    stopping = []
    previous = {
        sig: signal.signal(sig, lambda signum, _frame: stopping.append(signum))
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        for child in children:
            if child.may_start():
                child.start()
        code = _watch(children, stopping)
    finally:
        _stop_all(children)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


def _watch(children, stopping):
    restart_at = {}
    while not stopping:
        time.sleep(0.3)
        for child in children:
            if child.process is None:
                if time.monotonic() >= restart_at.get(child.name, 0) and child.may_start():
                    child.start()
                continue
            if child.process.poll() is None or child.once:
                continue
            if child.essential:
                click.echo(f"{child.name} stopped ({child.process.returncode}); shutting down", err=True)
                return 1
            child.restarts += 1
            delay = min(30, 2 ** min(child.restarts - 1, 5))
            click.echo(f"{child.name} exited ({child.process.returncode}); restarting in {delay} s", err=True)
            child.process = None
            restart_at[child.name] = time.monotonic() + delay
    return 0


def worker_grace(settings):
    """How long a stopping worker may take: running jobs' grace, then handing them back."""
    return float(settings["JOB_STOP_GRACE_SECONDS"]) + HAND_BACK_SECONDS


def _stop_all(children):
    """Ask every child to stop, then force the ones that do not within their grace period."""
    running = [c for c in children if c.process is not None and c.process.poll() is None]
    for child in running:
        child.process.send_signal(child.stop_signal)
    started = time.monotonic()
    for child in running:
        try:
            child.process.wait(timeout=max(0.1, started + child.grace - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.send_signal(child.last_signal)
            try:
                child.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
