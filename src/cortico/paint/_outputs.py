"""Writing a painting run's files: images, colour bars, panels, movie, settings.

:func:`cortico.paint.paint` and the parallel paint job both write through these
functions, so every file is produced one way and named by :mod:`cortico.paint._files`.
"""

from collections.abc import Callable
from pathlib import Path

import numpy as np

from cortico.paint._colors import parse_color
from cortico.paint._figures import colorbar_figure, colorbar_image, panel_figure, save_figure
from cortico.paint._files import COLORBAR_FORMATS, colorbar_file, image_file, movie_file, panel_file
from cortico.paint._movie import compose_frame, interpolate_rows, write_movie
from cortico.paint._render import render_view

__all__ = ["read_row_images", "render_images", "write_colorbars", "write_movie_files", "write_panel"]

#: ``progress(message)`` after each finished step.
StepCallback = Callable[[str], None]


def _render_options(settings):
    return dict(
        size=(settings.width, settings.height),
        background=settings.background,
        nodata_color=parse_color(settings.nodata_color),
        medial_wall_color=parse_color(settings.medial_wall_color),
        antialias=settings.antialias,
    )


def _save_png(image, path, keep_alpha):
    from PIL import Image

    # zlib level 3: half the encoding time of the default 6 for ~10 % larger files
    Image.fromarray(image if keep_alpha else np.ascontiguousarray(image[..., :3])).save(path, compress_level=3)


def write_colorbars(out_dir, scale, settings) -> list[Path]:
    """``colorbar.png/.pdf/.svg`` of ``scale`` with the settings' label, once per run."""
    figure = colorbar_figure(scale, settings.label)
    paths = []
    for suffix in COLORBAR_FORMATS:
        path = Path(out_dir) / colorbar_file(suffix)
        save_figure(figure, path, transparent=settings.background == "transparent")
        paths.append(path)
    return paths


def render_images(atlas, rows, settings, scale, out_dir=None, views=None, step: StepCallback | None = None):
    """Render every row in every view; write ``<view>_<row>.png`` when ``out_dir`` is given.

    Parameters
    ----------
    atlas : cortico.atlases.Atlas
    rows : list of (str, ValuesRow)
        ``(file name, row)``: the row's file-name fragment (see ``row_file_names``).
    settings : PaintSettings
    scale : ColorScale
    out_dir : path, optional
    views : list of View, optional
        Default: every view of ``settings``.
    step : callable, optional
        ``step("<file name>: <view name>")`` after each image.

    Returns
    -------
    dict
        ``(file name, view name) -> (Path or None, RGBA ndarray)``. Every image is held
        in memory: pass a few rows at a time.
    """
    options = _render_options(settings)
    views = settings.view_objects if views is None else views
    keep_alpha = settings.background == "transparent"
    produced = {}
    for file_name, row in rows:
        colors = scale(row.values)
        for view in views:
            image = render_view(atlas, settings.surface, colors, view, **options)
            path = None
            if out_dir is not None:
                path = Path(out_dir) / image_file(view.name, file_name)
                _save_png(image, path, keep_alpha)
            produced[(file_name, view.name)] = (path, image)
            if step is not None:
                step(f"{file_name}: {view.name}")
    return produced


def read_row_images(out_dir, file_name, views) -> list[tuple[str, np.ndarray]]:
    """The written images of one row as ``(view name, RGBA array)``, in view order."""
    from PIL import Image

    images = []
    for view in views:
        with Image.open(Path(out_dir) / image_file(view.name, file_name)) as image:
            images.append((view.name, np.asarray(image.convert("RGBA"))))
    return images


def write_panel(out_dir, file_name, title, images, scale, settings) -> list[Path]:
    """``panel_<row>.<format>``: every view of one row, captions, colour bar and title.

    Parameters
    ----------
    images : list of (str, ndarray)
        ``(view name, RGBA image)`` in display order.
    """
    figure = panel_figure(images, scale, settings.label, title=title)
    paths = []
    for suffix in settings.panel_formats:
        path = Path(out_dir) / panel_file(file_name, suffix)
        save_figure(figure, path, transparent=settings.background == "transparent")
        paths.append(path)
    return paths


def write_movie_files(atlas, table, settings, scale, out_dir, step: StepCallback | None = None) -> list[Path]:
    """The movie through every row (``movie.mp4``/``movie.gif``), in the settings' movie view."""
    options = dict(_render_options(settings), background="white")
    bar = colorbar_image(scale, settings.label, min(settings.width, 900))
    frames = []
    rows = [(row.name, row.values) for row in table.rows]
    for caption, values in interpolate_rows(rows, settings.movie_steps):
        image = render_view(atlas, settings.surface, scale(values), settings.movie_view, **options)
        frames.append(compose_frame(image, caption, bar))
        if step is not None:
            step(f"movie frame: {caption}")
    paths = []
    for suffix in settings.movie_formats:
        path = Path(out_dir) / movie_file(suffix)
        write_movie(frames, path, settings.movie_fps)
        paths.append(path)
    return paths
