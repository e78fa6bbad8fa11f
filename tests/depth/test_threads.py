"""The depth kernels survive a fork after use and concurrent calls from threads."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import multiprocessing, threading
    import numpy as np
    from cortico.depth import compute_depth
    from tests.depth._shapes import shell

    labels, _ = shell((41,) * 3, (0.3,) * 3, 5.5, 2.5)
    reference = compute_depth(labels, (0.3,) * 3).equivolumetric

    def difference():
        depth = compute_depth(labels, (0.3,) * 3).equivolumetric
        return float(np.nanmax(np.abs(depth - reference)))

    def child(queue):
        queue.put(difference())

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(queue,))
    process.start()
    print("fork", queue.get(timeout=120))
    process.join()

    results = []
    threads = [threading.Thread(target=lambda: results.append(difference())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("threads", max(results), len(results))
    """
)


def test_fork_after_use_and_concurrent_threads():
    # GNU OpenMP would kill the forked child; unlocked workqueue launches would abort.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_THREADING")}
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        cwd=Path(__file__).parents[2],
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    lines = completed.stdout.split("\n")
    assert "fork 0.0" in lines
    assert "threads 0.0 3" in lines
