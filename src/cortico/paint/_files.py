"""The names of every file a painting run writes, and the listing of a run's results.

One place decides them: :func:`cortico.paint.paint`, the parallel job and the web
pages all name and list files through this module. Names never contain user text
other than the sanitised image names (:func:`~cortico.paint.safe_name`).
"""

from cortico.paint._naming import safe_name, unique_safe_names

__all__ = [
    "COLORBAR_FORMATS",
    "INPUT_CSV",
    "REQUEST_FILE",
    "SETTINGS_FILE",
    "THUMBS_FOLDER",
    "ZIP_NAME",
    "colorbar_file",
    "image_file",
    "movie_file",
    "panel_file",
    "result_files",
    "result_record",
    "row_file_names",
    "thumb_file",
    "zip_members",
]

#: The values table as given (never named after user text).
INPUT_CSV = "values.csv"
#: The checked request (parsed table + settings), so that it is parsed once.
REQUEST_FILE = "request.npz"
SETTINGS_FILE = "settings.json"
ZIP_NAME = "cortico-paint.zip"
THUMBS_FOLDER = "thumbs"
COLORBAR_FORMATS = ("png", "pdf", "svg")


def row_file_names(names: list[str]) -> list[str]:
    """The file-name fragment of every row (safe, unique, in table order)."""
    return unique_safe_names(names)


def image_file(view_name: str, file_name: str) -> str:
    """``<view>_<row>.png``: one rendered view of one row."""
    return f"{safe_name(view_name)}_{file_name}.png"


def thumb_file(image_name: str) -> str:
    """The thumbnail of an image (relative to the results folder)."""
    return f"{THUMBS_FOLDER}/{image_name}"


def panel_file(file_name: str, suffix: str) -> str:
    """``panel_<row>.<suffix>``: every view of one row with a colour bar."""
    return f"panel_{file_name}.{suffix}"


def colorbar_file(suffix: str) -> str:
    """``colorbar.<suffix>``: the colour bar of the run."""
    return f"colorbar.{suffix}"


def movie_file(suffix: str) -> str:
    """``movie.<suffix>``: the movie through every row."""
    return f"movie.{suffix}"


def result_record(settings, table, warnings=()) -> dict:
    """What a painting run writes, as a JSON-able record (the paint job's result).

    Parameters
    ----------
    settings : PaintSettings
        Resolved settings (colour range filled in).
    table : ValuesTable
    warnings : list of str

    Returns
    -------
    dict
        ``rows`` (name, file_name, row, images with view/caption/file/thumb, panels),
        ``colorbars``, ``movies``, ``settings_file``, ``input_file``, ``zip`` and the
        settings shown with the results.
    """
    from cortico.paint._figures import view_caption

    views = [view.name for view in settings.view_objects]
    rows = []
    for row, file_name in zip(table.rows, row_file_names([r.name for r in table.rows]), strict=True):
        images = [
            {
                "view": view,
                "caption": view_caption(view),
                "file": image_file(view, file_name),
                "thumb": thumb_file(image_file(view, file_name)),
            }
            for view in views
        ]
        panels = [panel_file(file_name, suffix) for suffix in settings.panel_formats] if settings.panel else []
        rows.append({"name": row.name, "file_name": file_name, "row": row.row, "images": images, "panels": panels})
    return {
        "atlas": settings.atlas,
        "surface": settings.surface,
        "vmin": settings.vmin,
        "vmax": settings.vmax,
        "label": settings.label,
        "rows": rows,
        "image_count": len(rows) * len(views),
        "colorbars": [colorbar_file(suffix) for suffix in COLORBAR_FORMATS],
        "movies": [movie_file(suffix) for suffix in settings.movie_formats] if settings.movie else [],
        "settings_file": SETTINGS_FILE,
        "input_file": INPUT_CSV,
        "zip": ZIP_NAME,
        "warnings": list(warnings),
    }


def result_files(record: dict) -> list[dict]:
    """Every file of a :func:`result_record`, with what it is.

    Returns
    -------
    list of dict
        ``name`` (relative to the results folder), ``kind`` (image, thumbnail, panel,
        colorbar, movie, settings, table, zip), ``row`` (image name or None), ``view``
        and ``caption`` (images and thumbnails).
    """
    entries = []

    def add(name, kind, row=None, view=None, caption=None):
        entries.append({"name": name, "kind": kind, "row": row, "view": view, "caption": caption})

    for row in record["rows"]:
        for image in row["images"]:
            add(image["file"], "image", row["name"], image["view"], image["caption"])
            add(image["thumb"], "thumbnail", row["name"], image["view"], image["caption"])
        for panel in row["panels"]:
            add(panel, "panel", row["name"])
    for name in record["colorbars"]:
        add(name, "colorbar")
    for name in record["movies"]:
        add(name, "movie")
    add(record["settings_file"], "settings")
    add(record["input_file"], "table")
    add(record["zip"], "zip")
    return entries


def zip_members(record: dict) -> list[str]:
    """The files of a result that go into its zip (everything but thumbnails and the zip)."""
    return [entry["name"] for entry in result_files(record) if entry["kind"] not in ("thumbnail", "zip")]
