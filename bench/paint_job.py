"""Benchmark of the paint job kind: rows x views in parallel processes, beside ``paint()``.

Setting: DK atlas, pial surface, 1200x900 PNG, ``--rows`` rows x 4 views (the
default lateral/medial views), no panels or movie. Runs the job kind's ``run`` (the
code a worker runs: forked rendering processes, thumbnails, zip) with 1 and with
``--processes`` processes, then, as the peer in the same process, the core's
sequential ``cortico.paint.paint()`` on the same table. Prints wall seconds, images
per second and the speed ratios.

The job runs come first: a process that already holds an OpenGL context must not
fork renderers (the kind never renders in the job process itself).

Usage: python bench/paint_job.py [--rows 8] [--processes 2]
"""

import argparse
import contextlib
import tempfile
import time
from pathlib import Path

import numpy as np


class _NoJobs:
    """A database without job records (the benchmark's job has no owner)."""

    @contextlib.contextmanager
    def session(self):
        yield self

    def get(self, model, key):
        return None


class _Context:
    """What ``run`` needs from a job context: a folder, settings, progress."""

    def __init__(self, folder, processes):
        self.folder = Path(folder)
        settings = {"PAINT_PROCESSES": processes, "STORAGE_PATH": str(folder)}
        self.runtime = type("Runtime", (), {"settings": settings, "db": _NoJobs()})()
        self.job_id = "benchmark"
        self.messages = 0

    def progress(self, done, total=None, message=None, force=False):
        self.messages += 1

    def step_progress(self, step, done, total, detail=None, fraction=None, force=False):
        self.messages += 1

    def check_cancelled(self):
        return None


def _table(rows):
    from cortico.atlases import template_columns

    columns = template_columns("dk", "v2")
    rng = np.random.default_rng(0)
    return {
        f"subject-{i + 1}": dict(zip(columns, rng.uniform(1.5, 3.5, len(columns)).round(2).tolist()))
        for i in range(rows)
    }


def _job(values, processes):
    from cortico.jobs.kinds.paint import run, validate

    params = validate({"values": values, "settings": {}})
    with tempfile.TemporaryDirectory() as folder:
        context = _Context(folder, processes)
        start = time.perf_counter()
        result = run(context, params)
        return time.perf_counter() - start, result["image_count"], context.messages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    values = _table(args.rows)
    timings = {}
    for processes in (1, args.processes):
        seconds, images, messages = _job(values, processes)
        timings[processes] = seconds
        print(
            f"job kind, {processes} process(es): {seconds:.1f} s wall for {images} images "
            f"({images / seconds:.2f} images/s, {messages} progress reports)"
        )
    from cortico.paint import paint

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = paint(values, atlas="dk", out_dir=folder)
        peer = time.perf_counter() - start
    images = len(result.images)
    print(
        f"peer cortico.paint.paint() sequential: {peer:.1f} s wall for {images} images ({images / peer:.2f} images/s)"
    )
    print(f"ratio job({args.processes} processes) / job(1 process) speed: {timings[1] / timings[args.processes]:.2f}x")
    print(f"ratio job({args.processes} processes) / paint() speed: {peer / timings[args.processes]:.2f}x")


if __name__ == "__main__":
    main()
