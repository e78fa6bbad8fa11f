"""The painting pipeline: values table + settings -> images, panels, movie, settings.json."""

from dataclasses import dataclass, field
from pathlib import Path

from cortico.exceptions import InputError
from cortico.paint._files import SETTINGS_FILE, row_file_names
from cortico.paint._outputs import (
    regions_without_column,
    render_images,
    write_colorbars,
    write_movie_files,
    write_panel,
)
from cortico.paint._render import check_views, default_views
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
    settings_path: Path | None = None
    settings: PaintSettings | None = None
    scale: object = None
    table: ValuesTable | None = None
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


def paint(values, settings=None, *, out_dir=None, progress=None, atlas=None, **overrides) -> PaintResult:
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
    if tuple(settings.views) == PaintSettings().views:
        settings = settings.replace(views=default_views(atlas_object))  # aseg alone: subcortical views
    check_views(atlas_object, settings.view_objects)
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
        result.settings_path = out / SETTINGS_FILE
        settings.to_json(result.settings_path)
        result.colorbars = write_colorbars(out, scale, settings)
    nodata_regions = regions_without_column(table)
    named_rows = list(zip(row_file_names([row.name for row in table.rows]), table.rows, strict=True))
    for file_name, row in named_rows:
        produced = render_images(
            atlas_object,
            [(file_name, row)],
            settings,
            scale,
            out,
            views,
            lambda message, name=row.name: step(f"{name}: {message.partition(': ')[2]}"),
            nodata_regions,
        )
        for (_, view_name), (path, image) in produced.items():
            result.images[(row.name, view_name)] = image if out is None else path
        if settings.panel:
            images = [(view_name, image) for (_, view_name), (_, image) in produced.items()]
            result.panels[row.name] = write_panel(out, file_name, row.name, images, scale, settings)
            step(f"{row.name}: panel")
    if settings.movie:
        result.movies = write_movie_files(atlas_object, table, settings, scale, out, step)
    return result
