"""The painting pipeline: values table + settings -> images, panels, movie, settings.json."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cortico.exceptions import InputError
from cortico.paint._colors import parse_color
from cortico.paint._figures import (
    colorbar_figure,
    colorbar_image,
    panel_figure,
    save_figure,
)
from cortico.paint._movie import compose_frame, interpolate_rows, write_movie
from cortico.paint._naming import safe_name, unique_safe_names
from cortico.paint._render import render_view
from cortico.paint._settings import PaintSettings
from cortico.paint._table import ValuesTable, values_table_from_data

__all__ = ["PaintResult", "paint"]


@dataclass
class PaintResult:
    """What :func:`paint` produced.

    Attributes
    ----------
    images : dict
        ``(image name, view name) -> Path`` when ``out_dir`` was given, else the
        RGBA ``ndarray``.
    panels : dict
        ``image name -> list of Path`` (one per panel format).
    movies : list of Path
    colorbars : list of Path
    settings_path : Path or None
    settings : PaintSettings
        The settings used, with the automatic colour range filled in.
    scale : ColorScale
    table : ValuesTable
    warnings : list of str
    """

    images: dict = field(default_factory=dict)
    panels: dict = field(default_factory=dict)
    movies: list = field(default_factory=list)
    colorbars: list = field(default_factory=list)
    settings_path: Path = None
    settings: PaintSettings = None
    scale: object = None
    table: ValuesTable = None
    warnings: list = field(default_factory=list)


def _load_atlas(name, mesh="fsaverage"):
    from cortico.atlases import Atlas, load_atlas

    return name if isinstance(name, Atlas) else load_atlas(name, mesh=mesh)


def _resolved_settings(settings, overrides):
    if settings is None:
        settings = PaintSettings()
    elif isinstance(settings, dict):
        settings = PaintSettings.from_dict(settings)
    elif isinstance(settings, (str, Path)):
        settings = PaintSettings.from_json(settings)
    if overrides:
        unknown = sorted(set(overrides) - set(settings.to_dict()))
        if unknown:
            raise InputError(f"paint() got unknown setting(s): {', '.join(unknown)}.")
        settings = settings.replace(**overrides)
    return settings


def paint(values, settings=None, *, out_dir=None, progress=None, atlas=None, **overrides):
    """Paint every row of ``values`` on an atlas.

    Parameters
    ----------
    values : ValuesTable, pandas.DataFrame or dict
        A parsed table (:func:`read_values_table`), a DataFrame indexed by image
        name (or with an ``Image-name-unique`` column) whose columns are region
        names as in BrainPainter CSVs, ``{image name: {column: value}}``, or a
        single row ``{column: value}``.
    settings : PaintSettings, dict or path, optional
        Display settings; keyword ``overrides`` (any :class:`PaintSettings`
        field, e.g. ``surface="inflated"``, ``vmin=0``) are applied on top.
    out_dir : str or Path, optional
        Write ``<view>_<image-name>.png`` per row and view, colour bars, panels,
        movies and ``settings.json`` there. Without it images are returned as
        arrays (panels and movies need ``out_dir``).
    progress : callable, optional
        Called as ``progress(done, total, message)`` after every step; it may raise
        (e.g. :class:`~cortico.exceptions.JobCancelled`) to stop the run.
    atlas : str or Atlas, optional
        Atlas name or object; overrides ``settings.atlas``.

    Returns
    -------
    PaintResult
    """
    if atlas is not None and not isinstance(atlas, str):
        atlas_object = atlas
        overrides["atlas"] = atlas.name
    else:
        atlas_object = None
        if atlas is not None:
            overrides["atlas"] = atlas
    settings = _resolved_settings(settings, overrides)
    atlas_object = atlas_object or _load_atlas(settings.atlas, settings.mesh)
    table = values if isinstance(values, ValuesTable) else values_table_from_data(values, atlas_object)
    if table.region_keys != [region.key for region in atlas_object.regions]:
        raise InputError(
            f"The values table was read for atlas {table.atlas_name!r}, not for {atlas_object.name!r}; "
            "read it again with this atlas."
        )
    if not table.rows:
        raise InputError("The values table has no rows to paint.")
    if (settings.panel or settings.movie) and out_dir is None:
        raise InputError("Panels and movies are written to files: give out_dir.")
    settings = settings.resolved(table.matrix())
    scale = settings.color_scale(table.matrix())
    views = settings.view_objects
    movie_frames = (len(table.rows) - 1) * settings.movie_steps + len(table.rows) if settings.movie else 0
    total = len(table.rows) * len(views) + (len(table.rows) if settings.panel else 0) + movie_frames
    done = 0
    result = PaintResult(settings=settings, scale=scale, table=table, warnings=list(table.warnings))

    def step(message):
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, message)

    if progress is not None:
        progress(0, total, "starting")
    out = None
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        result.settings_path = out / "settings.json"
        settings.to_json(result.settings_path)
        for suffix in ("png", "pdf", "svg"):
            path = out / f"colorbar.{suffix}"
            save_figure(
                colorbar_figure(scale, settings.label),
                path,
                transparent=settings.background == "transparent",
            )
            result.colorbars.append(path)
    render_options = dict(
        size=(settings.width, settings.height),
        background=settings.background,
        nodata_color=parse_color(settings.nodata_color),
        medial_wall_color=parse_color(settings.medial_wall_color),
        antialias=settings.antialias,
    )
    file_names = unique_safe_names([row.name for row in table.rows])
    for row, file_name in zip(table.rows, file_names, strict=True):
        colors = scale(row.values)
        rendered = []
        for view in views:
            image = render_view(atlas_object, settings.surface, colors, view, **render_options)
            if out is None:
                result.images[(row.name, view.name)] = image
            else:
                path = out / f"{safe_name(view.name)}_{file_name}.png"
                _save_png(image, path, keep_alpha=settings.background == "transparent")
                result.images[(row.name, view.name)] = path
                if settings.panel:
                    rendered.append((view.name, image))
            step(f"{row.name}: {view.name}")
        if settings.panel:
            figure = panel_figure(rendered, scale, settings.label, title=row.name)
            paths = []
            for suffix in settings.panel_formats:
                path = out / f"panel_{file_name}.{suffix}"
                save_figure(figure, path, transparent=settings.background == "transparent")
                paths.append(path)
            result.panels[row.name] = paths
            step(f"{row.name}: panel")
    if settings.movie:
        result.movies = _movie(atlas_object, table, settings, scale, render_options, out, step)
    return result


def _save_png(image, path, keep_alpha):
    from PIL import Image

    # zlib level 3: half the encoding time of the default 6 for ~10 % larger files
    Image.fromarray(image if keep_alpha else np.ascontiguousarray(image[..., :3])).save(path, compress_level=3)


def _movie(atlas, table, settings, scale, render_options, out, step):
    options = dict(render_options, background="white")
    bar = colorbar_image(scale, settings.label, min(settings.width, 900))
    frames = []
    rows = [(row.name, row.values) for row in table.rows]
    for caption, values in interpolate_rows(rows, settings.movie_steps):
        image = render_view(atlas, settings.surface, scale(values), settings.movie_view, **options)
        frames.append(compose_frame(image, caption, bar))
        step(f"movie frame: {caption}")
    paths = []
    for suffix in settings.movie_formats:
        path = out / f"movie.{suffix}"
        write_movie(frames, path, settings.movie_fps)
        paths.append(path)
    return paths
