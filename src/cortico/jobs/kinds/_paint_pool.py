"""Painting in parallel processes inside a job worker.

The job's rows x views are cut into rectangles (rows split first, then views when
there are fewer rows than processes); each rectangle is painted by the domain
core's :func:`cortico.paint.render_images` in a forked ``billiard`` process (Celery's
prefork children cannot use :mod:`multiprocessing`), which opens its own OpenGL
context and uploads the atlas geometry once. Every finished image is reported
through the process's own pipe, so the job's progress moves one image at a time.

Each process has a pipe of its own and nothing else is shared, so stopping a job
(cancel, time limit, worker shutdown) can SIGKILL its processes at any moment
without leaving a lock held: no pool, no shared queue. The job process itself never
renders: a process holding an EGL context must not fork renderers.
"""

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from cortico.paint import thumb_file

__all__ = [
    "PaintPart",
    "plan_parts",
    "render_colorbars",
    "render_movie",
    "render_panels",
    "render_part",
    "run_processes",
]

_THUMB_WIDTH = 480


@dataclass(frozen=True)
class PaintPart:
    """A rectangle of the job: some rows, some views.

    Attributes
    ----------
    index : int
    rows : tuple of int
        Row positions in the table.
    views : tuple of str
        View specs.
    """

    index: int
    rows: tuple
    views: tuple


def plan_parts(n_rows, views, processes):
    """Cut ``n_rows`` x ``views`` into at most ``processes`` (about equal) parts.

    Parameters
    ----------
    n_rows : int
    views : sequence of str
    processes : int

    Returns
    -------
    list of PaintPart
        Every (row, view) pair is in exactly one part.
    """
    views = tuple(views)
    processes = max(1, int(processes))
    if n_rows >= processes:
        size = -(-n_rows // processes)
        groups = [tuple(range(start, min(start + size, n_rows))) for start in range(0, n_rows, size)]
        return [PaintPart(i, rows, views) for i, rows in enumerate(groups)]
    per_row = max(1, min(len(views), processes // max(n_rows, 1)))
    size = -(-len(views) // per_row)
    parts = []
    for row in range(n_rows):
        for start in range(0, len(views), size):
            parts.append(PaintPart(len(parts), (row,), views[start : start + size]))
    return parts


def render_part(task, report):
    """Process task: paint one part straight into the results folder, with thumbnails.

    ``task`` is ``(atlas, part, rows, settings, scale, out_dir)`` where ``rows`` are the
    ``(file name, ValuesRow)`` of the part; every image is reported as ``("image",
    "<file name>: <view name>")``.
    """
    from cortico.paint import get_view, render_images

    atlas, part, rows, settings, scale, out_dir = task
    views = [get_view(spec) for spec in part.views]
    for row in rows:  # one row at a time: only its images are held in memory
        produced = render_images(
            atlas, [row], settings, scale, out_dir, views, lambda message: report("image", message)
        )
        for path, _ in produced.values():
            _thumbnail(path, Path(out_dir) / thumb_file(path.name))


def _thumbnail(source, target):
    from PIL import Image

    # reducing_gap: shrink by an integer factor first, then resample (3x faster than plain LANCZOS)
    with Image.open(source) as image:
        image.thumbnail((_THUMB_WIDTH, _THUMB_WIDTH), Image.Resampling.LANCZOS, reducing_gap=2.0)
        image.save(target, compress_level=3)


def render_panels(task, report):
    """Process task: the panels of some rows from their written images (``(title, file name)`` each)."""
    from cortico.paint import read_row_images, write_panel

    rows, settings, scale, out_dir = task
    views = settings.view_objects
    for title, file_name in rows:
        write_panel(out_dir, file_name, title, read_row_images(out_dir, file_name, views), scale, settings)
        report("panel", title)


def render_colorbars(task, report):
    """Process task: the run's colour bars, written once."""
    from cortico.paint import write_colorbars

    settings, scale, out_dir = task
    write_colorbars(out_dir, scale, settings)


def render_movie(task, report):
    """Process task: the movie through every row; each frame is reported as ``"movie"``."""
    from cortico.paint import write_movie_files

    atlas, table, settings, scale, out_dir = task
    write_movie_files(atlas, table, settings, scale, out_dir, lambda message: report("movie", message))


def _child(function, task, writer):
    """Body of a forked process: run ``function``, send progress and the outcome, exit."""
    code = 0
    try:
        writer.send(("done", function(task, lambda kind, message: writer.send(("progress", kind, message)))))
    except BaseException as exc:  # report everything, even SystemExit: the parent decides
        code = 1
        try:
            writer.send(("error", exc))
        except Exception:  # unpicklable exception
            writer.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        writer.close()
        # skip the inherited Celery/atexit handlers of the worker process
        os._exit(code)


def run_processes(tasks, on_message, check):
    """Run ``tasks`` in one forked process each; return their results in order.

    Parameters
    ----------
    tasks : list of (callable, object)
        ``function(task, report)``; ``report(kind, message)`` reaches ``on_message``.
    on_message : callable
        ``on_message(kind, message)`` for every reported step; may raise (e.g.
        JobCancelled) to stop everything.
    check : callable
        Called about every 0.2 s; may raise to stop everything.

    Raises
    ------
    Exception
        What a task raised; or RuntimeError if a process died without a word.
        The other processes are killed first.
    """
    import billiard
    from billiard.connection import wait

    running = {}
    results = [None] * len(tasks)
    try:
        for index, (function, task) in enumerate(tasks):
            reader, writer = billiard.Pipe(duplex=False)
            process = billiard.Process(target=_child, args=(function, task, writer), daemon=True)
            process.start()
            writer.close()
            running[reader] = (index, process)
        while running:
            for reader in wait(list(running), timeout=0.2):
                index, process = running[reader]
                try:
                    message = reader.recv()
                except EOFError:
                    process.join(5)
                    del running[reader]
                    raise RuntimeError(
                        f"A rendering process stopped unexpectedly (exit code {process.exitcode}); "
                        "the server may be out of memory."
                    ) from None
                if message[0] == "progress":
                    on_message(message[1], message[2])
                elif message[0] == "done":
                    results[index] = message[1]
                    process.join(5)
                    del running[reader]
                    reader.close()
                else:
                    raise message[1]
            check()
        return results
    finally:
        for reader, (_, process) in running.items():
            if process.is_alive():
                os.kill(process.pid, signal.SIGKILL)
            process.join(5)
            reader.close()
