"""Painting in parallel processes inside a job worker.

The job's rows x views are cut into rectangles (rows split first, then views when
there are fewer rows than processes); each rectangle is painted by the domain
core's :func:`cortico.paint.paint` in a ``billiard`` pool process (Celery's
prefork children cannot use :mod:`multiprocessing`). Each pool process opens its
own OpenGL context and uploads the atlas geometry once. Every finished image is
reported through a queue, so the job's progress moves one image at a time.

The job process itself never renders: a process holding an EGL context must not
fork renderers.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PaintPart", "plan_parts", "run_parallel"]

_THUMB_WIDTH = 480
_state = {}


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
            parts.append(PaintPart(len(parts), (row,), views[start:start + size]))
    return parts


def _init_child(atlas, queue):
    _state["atlas"] = atlas
    _state["queue"] = queue


def _report(kind, part_index):
    queue = _state["queue"]

    def progress(done, total, message):
        if done > 0:
            queue.put((kind, part_index, message))

    return progress


def _table(rows, table_meta):
    from cortico.paint import ValuesRow, ValuesTable

    atlas_name, region_keys = table_meta
    return ValuesTable(atlas_name, list(region_keys), [ValuesRow(name, values, number)
                                                       for name, values, number in rows])


def _render_part(task):
    """Pool task: paint one part into its own folder; return (file name, view, png, thumb)."""
    from cortico.paint import PaintSettings, paint

    part, rows, table_meta, settings_data, work, images_dir, thumbs_dir = task
    settings = PaintSettings.from_dict(settings_data).replace(views=part.views, panel=False, movie=False)
    out = Path(work) / f"part-{part.index}"
    result = paint(_table(rows, table_meta), settings, atlas=_state["atlas"], out_dir=out,
                   progress=_report("image", part.index))
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

    with Image.open(source) as image:
        image.thumbnail((_THUMB_WIDTH, _THUMB_WIDTH), Image.Resampling.LANCZOS)
        image.save(target, optimize=True)


def _panel_part(task):
    """Pool task: the panel figure of one row in every requested format."""
    import numpy as np
    from PIL import Image

    from cortico.paint import panel_figure, save_figure

    index, title, file_name, images, scale, label, formats, transparent, out_dir = task
    arrays = []
    for view_name, path in images:
        with Image.open(path) as image:
            arrays.append((view_name, np.asarray(image.convert("RGBA"))))
    figure = panel_figure(arrays, scale, label, title=title)
    written = []
    for suffix in formats:
        path = Path(out_dir) / f"panel_{file_name}.{suffix}"
        save_figure(figure, path, transparent=transparent)
        written.append(path.name)
    _state["queue"].put(("panel", index, title))
    return written


def _movie_part(task):
    """Pool task: the movie of all rows (through :func:`cortico.paint.paint`)."""
    from cortico.paint import PaintSettings, paint

    rows, table_meta, settings_data, work, out_dir = task
    settings = PaintSettings.from_dict(settings_data)
    settings = settings.replace(views=(settings.movie_view,), panel=False, movie=True)
    out = Path(work) / "movie"
    result = paint(_table(rows, table_meta), settings, atlas=_state["atlas"], out_dir=out,
                   progress=_report("movie", -1))
    written = []
    for path in result.movies:
        shutil.move(str(path), Path(out_dir) / path.name)
        written.append(path.name)
    shutil.rmtree(out, ignore_errors=True)
    return written


def run_parallel(atlas, processes, on_message, check, tasks):
    """Run pool tasks and forward their progress messages.

    Parameters
    ----------
    atlas : cortico.atlases.Atlas
        Handed to every pool process (inherited at fork, not pickled).
    processes : int
    on_message : callable
        ``on_message(kind, part_index, message)`` for every reported step; may raise
        (e.g. JobCancelled) to stop everything.
    check : callable
        Called about every 0.2 s; may raise to stop everything.
    tasks : callable
        ``tasks(submit)`` schedules work with ``submit(function_name, argument)``
        (``"render"``, ``"panel"`` or ``"movie"``) and may wait for results with
        the returned handle's ``get()`` while progress keeps flowing.

    Returns
    -------
    object
        What ``tasks`` returned.
    """
    import queue as queue_module

    import billiard

    functions = {"render": _render_part, "panel": _panel_part, "movie": _movie_part}
    queue = billiard.Queue()
    pool = billiard.Pool(processes, initializer=_init_child, initargs=(atlas, queue))
    pending = []

    def drain(timeout):
        try:
            kind, index, message = queue.get(timeout=timeout)
        except queue_module.Empty:
            return False
        on_message(kind, index, message)
        return True

    class Handle:
        def __init__(self, async_result):
            self.async_result = async_result

        def get(self):
            while not self.async_result.ready():
                if not drain(0.2):
                    check()
                for other in pending:
                    if other.ready() and not other.successful():
                        other.get()
            while drain(0):
                pass
            return self.async_result.get()

    def submit(name, argument):
        async_result = pool.apply_async(functions[name], (argument,))
        pending.append(async_result)
        return Handle(async_result)

    try:
        outcome = tasks(submit)
        for async_result in pending:
            Handle(async_result).get()
        while drain(0.05):
            pass
        pool.close()
        pool.join()
        return outcome
    except BaseException:
        pool.terminate()
        pool.join()
        raise
