"""Run a job's work in a process of its own that can be killed at any moment.

The Celery pool process that took the message only watches: it forks the job
process (its own process group, killed with the pool process if that dies),
receives the outcome through a pipe, and kills the whole group when the job is
no longer its to run (cancelled, failed by the operator, handed back at a worker
stop, re-sent) or when the time limit hits. Nothing that the pool process or
Celery holds (semaphores, the result pipe) is ever touched by a kill, so a cancel
can never wedge the worker.
"""

import ctypes
import importlib
import logging
import os
import pickle
import signal
import time

from sqlalchemy import select

from cortico.db import Job, JobState
from cortico.exceptions import CorticoError, JobCancelled

__all__ = ["JobProcessDied", "run_isolated"]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
# Signals the Celery pool process handles; the job process must die of them instead.
_RESET_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


class JobProcessDied(RuntimeError):
    """The job process ended without reporting an outcome (killed, out of memory)."""


def run_isolated(context, function, params, heartbeat_seconds, poll_seconds=0.5):
    """Run ``function(context, params)`` in a killable child; return its result or raise its error.

    This process beats the job's heartbeat every ``heartbeat_seconds`` (started
    after the fork: no thread may hold a lock the child inherits). Raises
    :class:`~cortico.exceptions.JobCancelled` (after killing the child) as soon as
    the job record says this dispatch no longer runs.
    """
    import billiard
    from billiard.connection import wait

    reader, writer = billiard.Pipe(duplex=False)
    process = billiard.Process(target=_child, args=(function, context, params, writer), daemon=True)
    process.start()
    writer.close()
    _own_group(process.pid)
    context.start_heartbeat(heartbeat_seconds)
    try:
        next_check = time.monotonic() + poll_seconds
        while True:
            if wait([reader], timeout=poll_seconds):
                try:
                    message = reader.recv()
                except EOFError:
                    process.join(5)
                    raise JobProcessDied(_death_message(process.exitcode)) from None
                return _outcome(message)
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + poll_seconds
                if not _still_ours(context):
                    raise JobCancelled("The job is no longer run by this dispatch.")
    finally:
        _kill_group(process)
        reader.close()


def _still_ours(context):
    with context.runtime.db.session() as session:
        row = session.execute(select(Job.state, Job.dispatch_id).where(Job.id == context.job_id)).first()
    return row is not None and row.state == JobState.RUNNING.value and row.dispatch_id == context.dispatch_id


def _own_group(pid):
    # Also done by the child; whichever runs first wins, so a kill never misses the group.
    try:
        os.setpgid(pid, pid)
    except OSError:
        pass


def _kill_group(process):
    if process.is_alive() or process.exitcode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # not a group leader after all: kill the process itself
            try:
                os.kill(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    process.join(10)


def _death_message(exitcode):
    if exitcode is not None and exitcode < 0:
        how = f"was killed by signal {-exitcode}"
    else:
        how = f"exited with code {exitcode}"
    return f"The job's process {how} before finishing; the server may be out of memory."


def _outcome(message):
    kind = message[0]
    if kind == "done":
        return message[1]
    if kind == "cortico_error":
        _, module, name, text, problems = message
        try:
            cls = getattr(importlib.import_module(module), name)
            error = cls(text, problems)
        except Exception:
            error = CorticoError(text, problems)
        raise error
    if kind == "error":
        try:
            error = pickle.loads(message[1])
        except Exception:
            error = RuntimeError(message[2])
        raise error
    raise RuntimeError(f"unexpected message from the job process: {kind!r}")


def _child(function, context, params, writer):
    """Body of the job process: run the kind, send its outcome, exit without Celery's handlers."""
    code = 0
    try:
        _own_group(0)
        _die_with_parent()
        for sig in _RESET_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        context.runtime.forget_parent_connections()
        writer.send(("done", function(context, params)))
    except BaseException as exc:
        code = 1
        try:
            writer.send(_error_message(exc))
        except Exception:
            log.exception("could not report a job error")
    finally:
        try:
            writer.close()
        finally:
            os._exit(code)


def _error_message(exc):
    if isinstance(exc, CorticoError):
        return ("cortico_error", type(exc).__module__, type(exc).__qualname__, exc.message, exc.problems)
    text = f"{type(exc).__name__}: {exc}"
    try:
        data = pickle.dumps(exc)
        pickle.loads(data)
    except Exception:
        data = pickle.dumps(RuntimeError(text))
    return ("error", data, text)


def _die_with_parent():
    """Ask Linux to SIGKILL this process when the pool process dies (no orphans)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
