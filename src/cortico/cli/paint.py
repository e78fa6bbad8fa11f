"""``cortico paint``: paint every row of a BrainPainter-style CSV on an atlas."""

import click
from tqdm import tqdm

from cortico.exceptions import CorticoError

_OPTION_FIELDS = (
    "atlas",
    "surface",
    "mesh",
    "mode",
    "cmap",
    "vmin",
    "vmax",
    "center",
    "robust",
    "nodata_color",
    "missing_color",
    "medial_wall_color",
    "label",
    "orientation",
    "layout",
    "background",
    "antialias",
    "panel",
    "movie",
    "movie_steps",
    "movie_view",
)


def _split(values):
    items = []
    for value in values or ():
        items.extend(part.strip() for part in value.split(",") if part.strip())
    return items


def _size(value):
    if value is None:
        return None
    width, sep, height = value.lower().partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise click.BadParameter(f"{value!r}: expected WIDTHxHEIGHT, e.g. 1200x900", param_hint="--size") from None


def _error(exc):
    lines = [exc.message] + [f"  - {problem}" for problem in exc.problems]
    if len(lines) > 1:
        lines[0] = exc.message.split(": ")[0] + ":"
    return click.ClickException("\n".join(lines))


@click.command("paint")
@click.argument("values", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Output folder.",
)
@click.option(
    "--settings",
    "settings_path",
    type=click.Path(exists=True, dir_okay=False),
    help="settings.json of an earlier run; other options override it.",
)
@click.option(
    "--atlas", help="Atlas name (default dk); `cortico atlas list` shows all, e.g. yeo7, glasser, schaefer400."
)
@click.option("--surface", help="Cortical surface: pial (default), white, inflated or midthickness.")
@click.option(
    "--mesh",
    type=click.Choice(["fsaverage", "fsaverage6", "fsaverage5"]),
    help="Template mesh: fsaverage (default, 163,842 vertices/hemisphere) or the lighter fsaverage6/fsaverage5.",
)
@click.option(
    "--views",
    multiple=True,
    help="Comma-separated view names or 'camera:azimuth=..,elevation=..' (repeatable).",
)
@click.option(
    "--colors",
    multiple=True,
    help="Comma-separated colour stops, e.g. '#ffffff,#ffff00,#ff0000'.",
)
@click.option("--cmap", help="A matplotlib colormap instead of colour stops, e.g. RdBu_r.")
@click.option(
    "--mode",
    type=click.Choice(["ramp", "brainpainter"]),
    help="Colour mode (default ramp).",
)
@click.option("--vmin", type=float, help="Value at the first colour (default: data minimum).")
@click.option("--vmax", type=float, help="Value at the last colour (default: data maximum).")
@click.option("--center", type=float, help="Value at the middle colour (diverging maps).")
@click.option(
    "--robust/--no-robust",
    default=None,
    help="Automatic range from 2nd-98th percentiles.",
)
@click.option("--nodata-color", help="Grey of regions the table has no column for.")
@click.option("--missing-color", help="Grey of regions whose cell is empty or NaN.")
@click.option("--medial-wall-color", help="Grey of the medial wall.")
@click.option(
    "--orientation",
    type=click.Choice(["auto", "anterior-up", "anterior-left", "anterior-right"]),
    help="Where the frontal pole points in top/bottom views (auto: along the longer image side).",
)
@click.option(
    "--layout",
    type=click.Choice(["grid", "cortex4", "brainpainter"]),
    help="Panel layout: grid of the views, cortex4 (2x2 lateral/medial), or brainpainter (its 10 views).",
)
@click.option("--label", help="Colour bar label, e.g. 'Thickness (mm)'.")
@click.option("--size", help="Image size WIDTHxHEIGHT (default 1200x900, at most 4096 each).")
@click.option("--background", help="Background colour, or 'transparent'.")
@click.option(
    "--antialias",
    type=click.Choice(["fxaa", "msaa", "none"]),
    help="Edge antialiasing: fxaa (default, fast) or msaa (4x multisampling, finest).",
)
@click.option(
    "--panel/--no-panel",
    default=None,
    help="Also write a panel per row (PNG, PDF, SVG).",
)
@click.option(
    "--movie/--no-movie",
    default=None,
    help="Also write a movie of the rows (MP4, GIF).",
)
@click.option("--movie-view", help="View shown in the movie.")
@click.option("--movie-steps", type=int, help="Frames interpolated between rows in the movie.")
def paint(values, out_dir, settings_path, views, colors, size, **options):
    """Paint each row of VALUES (a BrainPainter CSV) and write <view>_<image-name>.png files.

    The table and the settings are checked completely first; every problem is listed
    at once, in the same words as the web service.
    """
    from pathlib import Path

    from cortico.paint import PaintLimits, PaintSettings, check_paint_request, format_value
    from cortico.paint import paint as paint_rows

    overrides = {key: options[key] for key in _OPTION_FIELDS if options.get(key) is not None}
    if views:
        overrides["views"] = tuple(_split(views))
    if colors:
        overrides["colors"] = tuple(_split(colors))
    parsed_size = _size(size)
    if parsed_size:
        overrides["width"], overrides["height"] = parsed_size
    try:
        settings_data = PaintSettings.from_json(settings_path).to_dict() if settings_path else {}
        settings_data.update(overrides)
        request = check_paint_request(Path(values).read_bytes(), settings_data, PaintLimits.local())
        request.raise_for_problems()
        for warning in request.warnings:
            click.echo(f"warning: {warning}", err=True)
        with tqdm(total=None, unit="image", desc="painting", leave=False) as bar:

            def progress(done, total, message):
                bar.total = total
                bar.n = done
                bar.set_postfix_str(message[:40], refresh=False)
                bar.refresh()

            result = paint_rows(
                request.table, request.settings, atlas=request.atlas, out_dir=out_dir, progress=progress
            )
    except CorticoError as exc:
        raise _error(exc) from None
    click.echo(
        f"Painted {len(request.table.rows)} row(s) x {len(result.settings.views)} view(s) into {out_dir} "
        f"(colour range {format_value(result.scale.vmin)}..{format_value(result.scale.vmax)}); "
        f"settings in {result.settings_path}."
    )
