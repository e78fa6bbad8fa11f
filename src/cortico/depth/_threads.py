"""Numba threading for the depth kernels: fork-safe, and safe across Python threads.

GNU OpenMP, numba's usual layer on Linux, kills a process that forks after using it
("fork() called from a process already using GNU OpenMP"), and Celery workers and
the paint job pool fork. Unless the user chose a layer through numba's environment
variables, prefer TBB (fork- and thread-safe) and then the built-in workqueue layer,
which is fork-safe but must not be entered by two threads at once: every parallel
kernel launch of this package therefore holds :data:`PARALLEL_LOCK`.
"""

from __future__ import annotations

import os
import threading

import numba

#: Held around every ``parallel=True`` kernel call of cortico.depth.
PARALLEL_LOCK = threading.RLock()

_USER_CHOICE = ("NUMBA_THREADING_LAYER", "NUMBA_THREADING_LAYER_PRIORITY")


def prefer_fork_safe_threading_layer() -> None:
    """Order numba's layer choice as tbb, workqueue, omp unless the user set one.

    Has no effect once a parallel kernel has run in this process.
    """
    if any(name in os.environ for name in _USER_CHOICE):
        return
    if numba.config.THREADING_LAYER == "default":  # type: ignore[attr-defined]  # set by numba at import
        numba.config.THREADING_LAYER_PRIORITY = ["tbb", "workqueue", "omp"]  # type: ignore[attr-defined]


prefer_fork_safe_threading_layer()
