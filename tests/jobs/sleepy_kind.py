"""A job kind for the tests only: sleeps in steps and reports progress.

Loaded by workers through ``CORTICO_JOB_MODULES=tests.jobs.sleepy_kind``; it is
not part of the product.
"""

import os
import time
from pathlib import Path

from cortico.exceptions import InputError
from cortico.jobs import JobKind, register_kind


def _validate(params):
    steps = params.get("steps", 5)
    if not isinstance(steps, int) or not 1 <= steps <= 1000:
        raise InputError(f"'steps' must be an integer from 1 to 1000, got {steps!r}.")
    return {
        "steps": steps,
        "delay": float(params.get("delay", 0.2)),
        "fail_at": params.get("fail_at"),
        "crash_with_sql": bool(params.get("crash_with_sql")),
    }


def _run(context, params):
    # Each run leaves a mark, so tests can count how often a job was (re)started.
    runs = Path(context.folder) / "runs"
    with open(runs, "a") as f:
        f.write(f"{os.getpid()}\n")
    if params.get("crash_with_sql"):  # a database error that quotes its SQL statement
        from sqlalchemy.exc import DataError

        raise DataError("SELECT secret_column FROM users WHERE name = %(name)s", {"name": "x"}, ValueError("NUL"))
    for step in range(params["steps"]):
        if params["fail_at"] == step:
            raise InputError(f"failing on purpose at step {step}")
        time.sleep(params["delay"])
        context.progress(step + 1, params["steps"], f"step {step + 1} of {params['steps']}")
    (Path(context.folder) / "result.txt").write_text("done")
    return {"steps": params["steps"], "pid": os.getpid()}


register_kind(JobKind("test.sleepy", _run, _validate, "sleeps in steps (tests only)"))
