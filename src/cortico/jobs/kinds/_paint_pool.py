"""Painting in parallel processes inside a job worker.

The job's rows x views are cut into rectangles (rows split first, then views when
there are fewer rows than processes); each rectangle is painted by the domain
core's :func:`cortico.paint.paint` in a forked ``billiard`` process (Celery's
prefork children cannot use :mod:`multiprocessing`), which opens its own OpenGL
context and uploads the atlas geometry once. Every finished image is reported
through the process's own pipe, so the job's progress moves one image at a time.

Each process has a pipe of its own and nothing else is shared, so stopping a job
(cancel, time limit, worker shutdown) can SIGKILL its processes at any moment
without leaving a lock held: no pool, no shared queue. The job process itself never
renders: a process holding an EGL context must not fork renderers.
"""

import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PaintPart", "plan_parts", "render_part", "render_panels", "render_movie", "run_processes"]

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


def _table(rows, table_meta):
    from cortico.paint import ValuesRow, ValuesTable

    atlas_name, region_keys = table_meta
    return ValuesTable(
        atlas_name, list(region_keys), [ValuesRow(name, values, number) for name, values, number in rows]
    )


def _forward(report, kind):
    def progress(done, total, message):
        if done > 0:
            report(kind, message)

    return progress


def render_part(task, report):
    """Process task: paint one part into its own folder; return (file name, view, png, thumb)."""
    from cortico.paint import PaintSettings, paint

    atlas, part, rows, table_meta, settings_data, work, images_dir, thumbs_dir = task
    settings = PaintSettings.from_dict(settings_data).replace(views=part.views, panel=False, movie=False)
    out = Path(work) / f"part-{part.index}"
    result = paint(_table(rows, table_meta), settings, atlas=atlas, out_dir=out, progress=_forward(report, "image"))
    produced = []
    for (file_name, view_name), path in result.images.items():
        target = Path(images_dir) / path.name
        shutil.move(str(path), target)
        thumb = Path(thumbs_dir) / path.name
        _thumbnail(target, thumb)
        produced.append((file_name, view_name, target.name, thumb.name))
    if part.index == 0:
        for path in result.colorbars:
            shutil.move(str(path), Path(images_dir) / path.name)
    shutil.rmtree(out, ignore_errors=True)
    return produced


def _thumbnail(source, target):
    from PIL import Image

    # reducing_gap: shrink by an integer factor first, then resample (3x faster than plain LANCZOS)
    with Image.open(source) as image:
        image.thumbnail((_THUMB_WIDTH, _THUMB_WIDTH), Image.Resampling.LANCZOS, reducing_gap=2.0)
        image.save(target, compress_level=3)


def render_panels(task, report):
    """Process task: the panel figures of some rows, in every requested format."""
    import numpy as np
    from PIL import Image

    from cortico.paint import panel_figure, save_figure

    panels, scale, label, formats, transparent, out_dir, layout = task
    written = {}
    for title, file_name, images in panels:
        arrays = []
        for view_name, path in images:
            with Image.open(path) as image:
                arrays.append((view_name, np.asarray(image.convert("RGBA"))))
        figure = panel_figure(arrays, scale, label, title=title, layout=layout)
        written[file_name] = []
        for suffix in formats:
            path = Path(out_dir) / f"panel_{file_name}.{suffix}"
            save_figure(figure, path, transparent=transparent)
            written[file_name].append(path.name)
        report("panel", title)
    return written


def render_movie(task, report):
    """Process task: the movie of all rows (through :func:`cortico.paint.paint`)."""
    from cortico.paint import PaintSettings, paint

    atlas, rows, table_meta, settings_data, work, out_dir = task
    settings = PaintSettings.from_dict(settings_data)
    settings = settings.replace(views=(settings.movie_view,), panel=False, movie=True)
    out = Path(work) / "movie"
    result = paint(_table(rows, table_meta), settings, atlas=atlas, out_dir=out, progress=_forward(report, "movie"))
    written = []
    for path in result.movies:
        shutil.move(str(path), Path(out_dir) / path.name)
        written.append(path.name)
    shutil.rmtree(out, ignore_errors=True)
    return written


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
