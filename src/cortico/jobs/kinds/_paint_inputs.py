"""Checking a painting request before it is queued: settings, values table, limits.

Shared by the paint job kind, the ``/api/v1/paint`` routes and the painting page, so
that every entry point reports the same problems in the same words. Problems are
collected, never raised one by one: the user sees every one of them at once.
"""

import csv
import functools
import io
import math
from dataclasses import dataclass, field

from cortico.exceptions import CorticoError, InputError, LimitExceededError, NotFoundError

__all__ = [
    "IMPORTED_PREFIX",
    "INPUT_CSV",
    "PaintLimits",
    "PaintRequest",
    "Problem",
    "atlas_store",
    "check_paint_request",
    "load_paint_atlas",
    "owner_atlases",
    "values_to_csv",
]

#: Name of the values table inside a job folder (never derived from user text).
INPUT_CSV = "values.csv"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a painting request, in plain words.

    Attributes
    ----------
    message : str
        The whole sentence shown to the user (row and column included).
    row : int or None
        Spreadsheet row of the values table (the header is row 1).
    column : str or None
        Column name as written in the table.
    suggestions : tuple of str
        Closest known region names, best first.
    field : str or None
        The setting concerned (``"vmin"``, ``"views"``...), for settings problems.
    limit : bool
        True when a configured limit was exceeded (HTTP 413 when alone).
    """

    message: str
    row: int = None
    column: str = None
    suggestions: tuple = ()
    field: str = None
    limit: bool = False

    def to_dict(self):
        """JSON-able form (the API's ``details`` entries)."""
        return {
            "message": self.message,
            "row": self.row,
            "column": self.column,
            "suggestions": list(self.suggestions),
            "field": self.field,
        }


@dataclass(frozen=True)
class PaintLimits:
    """Configured limits of one painting job (see the ``PAINT_*`` settings)."""

    max_upload_bytes: int = 5 * 1024 * 1024
    max_rows: int = 500
    max_columns: int = 2000
    max_images: int = 2000
    max_side: int = 4096
    max_movie_frames: int = 600

    @classmethod
    def from_settings(cls, settings):
        """Read the limits from cortico settings (``PAINT_MAX_*`` keys)."""
        return cls(
            max_upload_bytes=int(settings.get("PAINT_MAX_UPLOAD_BYTES") or cls.max_upload_bytes),
            max_rows=int(settings.get("PAINT_MAX_ROWS") or cls.max_rows),
            max_columns=int(settings.get("PAINT_MAX_COLUMNS") or cls.max_columns),
            max_images=int(settings.get("PAINT_MAX_IMAGES") or cls.max_images),
            max_side=int(settings.get("PAINT_MAX_SIDE") or cls.max_side),
            max_movie_frames=int(settings.get("PAINT_MAX_MOVIE_FRAMES") or cls.max_movie_frames),
        )

    def upload_problem(self, size):
        """A limit Problem when an upload of ``size`` bytes is too large, else None."""
        if size > self.max_upload_bytes:
            # uploads are read only up to one byte past the limit: the true size is unknown
            return Problem(
                f"The values table is larger than {_megabytes(self.max_upload_bytes)}, the largest this server "
                "accepts. Split it into several jobs.",
                field="table",
                limit=True,
            )
        return None

    def problems(self, settings, rows):
        """Problems of a job of ``rows`` rows painted with ``settings`` (PaintSettings)."""
        found = []
        for name in ("width", "height"):
            value = getattr(settings, name)
            if value > self.max_side:
                found.append(
                    Problem(
                        f"The image {name} is {value} pixels; this server paints at most "
                        f"{self.max_side} pixels per side.",
                        field=name,
                    )
                )
        if rows > self.max_rows:
            found.append(
                Problem(
                    f"The table has {rows} data rows; this server paints at most {self.max_rows} rows per job. "
                    "Split the table into several jobs.",
                    field="table",
                    limit=True,
                )
            )
        images = rows * len(settings.views)
        if images > self.max_images:
            found.append(
                Problem(
                    f"{rows} rows x {len(settings.views)} views make {images} images; this server paints at most "
                    f"{self.max_images} images per job. Choose fewer views or split the table.",
                    field="views",
                    limit=True,
                )
            )
        if settings.movie:
            frames = rows + max(rows - 1, 0) * settings.movie_steps
            if frames > self.max_movie_frames:
                found.append(
                    Problem(
                        f"The movie would have {frames} frames ({rows} rows and {settings.movie_steps} frames between "
                        f"rows); at most {self.max_movie_frames} are allowed. Use fewer in-between frames.",
                        field="movie_steps",
                        limit=True,
                    )
                )
        return found


def _megabytes(size):
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} kB"
    return f"{size} bytes"


#: Settings name an imported atlas as ``user:<its name>``.
IMPORTED_PREFIX = "user:"


def atlas_store(settings):
    """The store of imported atlases (``<STORAGE_PATH>/atlases``)."""
    from pathlib import Path

    from cortico.atlases import AtlasStore

    return AtlasStore(Path(settings["STORAGE_PATH"]) / "atlases")


@functools.lru_cache(maxsize=8)
def _bundled_atlas(name, mesh):
    from cortico.atlases import load_atlas

    return load_atlas(name, mesh=mesh)


@functools.lru_cache(maxsize=8)
def _stored_atlas(root, owner, atlas_id):
    from cortico.atlases import AtlasStore

    return AtlasStore(root).load(owner, atlas_id)


def load_paint_atlas(name, store=None, owner=None, mesh="fsaverage"):
    """The atlas called ``name``, loaded once per process (geometry loads lazily).

    Parameters
    ----------
    name : str
        A bundled atlas (``"dk"``...), or ``"user:<name>"`` for one of ``owner``'s
        imported atlases in ``store``.
    store : cortico.atlases.AtlasStore, optional
    owner : int or str, optional
    mesh : str
        Template mesh of a bundled atlas (``fsaverage``, ``fsaverage6``, ``fsaverage5``);
        imported atlases keep their own surfaces.

    Raises
    ------
    NotFoundError
        No atlas has this name (for this owner).
    """
    text = str(name).strip()
    if text.lower().startswith(IMPORTED_PREFIX):
        if store is None or owner is None:
            raise NotFoundError(
                f"Atlas {text!r} is an imported atlas; paint with it through "
                "POST /api/v1/paint/jobs or the painting page."
            )
        atlas_id = store.find(str(owner), text[len(IMPORTED_PREFIX) :])
        return _stored_atlas(str(store.root), str(owner), atlas_id)
    return _bundled_atlas(text, mesh)


def owner_atlases(store, owner):
    """The imported atlases of ``owner`` (StoredAtlas entries), none for anonymous callers."""
    if store is None or owner is None:
        return []
    return store.list(str(owner))


def values_to_csv(values):
    """A BrainPainter CSV (UTF-8 bytes) from ``{image name: {column: value}}``.

    Raises
    ------
    InputError
        When ``values`` is not an object of objects, or a cell is neither a number
        nor null (every such cell is listed).
    """
    from cortico.atlases import IMAGE_NAME_COLUMN

    if not isinstance(values, dict) or not values:
        raise InputError("'values' must be a non-empty object {image name: {region column: value}}.")
    bad = [str(name) for name, row in values.items() if not isinstance(row, dict)]
    if bad:
        raise InputError(
            "Each entry of 'values' must be an object {region column: value}; "
            f"not for image(s) {', '.join(repr(b) for b in bad[:5])}."
        )
    wrong = [
        f"image {str(name)!r}, column {str(column)!r}: expected a number or null, got {_json_type(value)}"
        for name, row in values.items()
        for column, value in row.items()
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)))
    ]
    if wrong:
        listed = "; ".join(wrong[:12]) + (f"; and {len(wrong) - 12} more" if len(wrong) > 12 else "")
        raise InputError(f"'values' holds {len(wrong)} cell(s) that are not numbers: {listed}.", problems=wrong)
    columns = list(dict.fromkeys(str(column) for row in values.values() for column in row))
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([IMAGE_NAME_COLUMN, *columns])
    for name, row in values.items():
        writer.writerow([str(name), *(_cell(row.get(column)) for column in columns)])
    return stream.getvalue().encode("utf-8")


def _json_type(value):
    names = {bool: "true/false", str: "text", dict: "an object", list: "a list"}
    return next((label for kind, label in names.items() if isinstance(value, kind)), type(value).__name__)


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclass
class PaintRequest:
    """A checked painting request: settings, parsed table and what was found."""

    settings: object = None
    table: object = None
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def error(self):
        """The CorticoError describing every problem (LimitExceededError if all are limits)."""
        count = len(self.problems)
        head = f"The painting request has {count} problem{'s' if count != 1 else ''}"
        listed = "; ".join(p.message.rstrip(".") for p in self.problems[:12])
        more = f"; and {count - 12} more" if count > 12 else ""
        cls = LimitExceededError if all(p.limit for p in self.problems) else InputError
        exc = cls(f"{head}: {listed}{more}.", problems=[p.message for p in self.problems])
        exc.details = [p.to_dict() for p in self.problems]
        return exc

    def raise_for_problems(self):
        """Raise :meth:`error` when there are problems."""
        if self.problems:
            raise self.error()


def _settings_problems(exc):
    """Problems of an InputError raised by PaintSettings (one per listed problem)."""
    import dataclasses

    from cortico.paint import PaintSettings

    names = {f.name for f in dataclasses.fields(PaintSettings)}
    found = []
    listed = exc.problems if exc.problems and exc.message.startswith("Invalid paint settings") else [exc.message]
    for message in listed:
        first = message.split(" ", 1)[0].rstrip(":").lower()
        if first in names:
            field_name = first
        elif "view" in message.lower():
            field_name = "views"
        elif message.lower().startswith("colour stop"):
            field_name = "colors"
        else:
            field_name = None
        found.append(Problem(message.rstrip(".") + ".", field=field_name))
    return found


def check_paint_request(table_bytes, settings_data, limits, store=None, owner=None):
    """Check everything about a painting request and collect every problem.

    Parameters
    ----------
    table_bytes : bytes or None
        The values CSV (an upload, or :func:`values_to_csv` of a JSON body).
    settings_data : dict
        :class:`~cortico.paint.PaintSettings` fields.
    limits : PaintLimits
    store : cortico.atlases.AtlasStore, optional
        Imported atlases (``"user:<name>"``) of ``owner``.
    owner : int or str, optional

    Returns
    -------
    PaintRequest
        ``problems`` lists every problem (empty when the job can be queued).
    """
    from cortico.paint import PaintSettings, read_values_table

    request = PaintRequest()
    if not isinstance(settings_data, dict):
        request.problems.append(
            Problem("The settings must be an object of setting names and values.", field="settings")
        )
        settings_data = {}
    try:
        request.settings = PaintSettings.from_dict(settings_data)
    except InputError as exc:
        request.problems.extend(_settings_problems(exc))
    atlas_name = settings_data.get("atlas", "dk") if request.settings is None else request.settings.atlas
    atlas = None
    try:
        mesh = request.settings.mesh if request.settings is not None else "fsaverage"
        atlas = load_paint_atlas(str(atlas_name), store, owner, mesh)
    except CorticoError as exc:
        request.problems.append(Problem(exc.message, field="atlas"))
    if table_bytes is None or not table_bytes.strip():
        request.problems.append(
            Problem("No values table was given: upload a CSV whose first column is 'Image-name-unique'.", field="table")
        )
    else:
        too_large = limits.upload_problem(len(table_bytes))
        if too_large:
            request.problems.append(too_large)
        elif atlas is not None:
            try:
                request.table = read_values_table(table_bytes, atlas, max_columns=limits.max_columns)
                request.warnings = list(request.table.warnings)
            except InputError as exc:
                request.problems.extend(_table_problems(exc))
            except LimitExceededError as exc:
                request.problems.append(Problem(exc.message, field="table", limit=True))
    if request.settings is not None and atlas is not None:
        request.problems.extend(_view_problems(request.settings, atlas))
    if request.settings is not None and request.table is not None:
        request.problems.extend(limits.problems(request.settings, len(request.table.rows)))
        if request.settings.mode == "brainpainter":
            request.problems.extend(_brainpainter_problems(request.table, request.settings))
    return request


def _view_problems(settings, atlas):
    """Views that would show nothing of this atlas (no cortex, or no structures)."""
    from cortico.paint import get_view, view_caption

    has = {kind: any(region.kind == kind for region in atlas.regions) for kind in ("cortical", "subcortical")}
    found = []
    for view in settings.view_objects + ([get_view(settings.movie_view)] if settings.movie else []):
        needs = "cortical" if view.content == "cortex" else "subcortical"
        if not has[needs]:
            shows = "the cortex" if needs == "cortical" else "subcortical structures"
            found.append(
                Problem(
                    f"View {view_caption(view.name)!r} shows {shows}, but atlas {atlas.name!r} has no "
                    f"{needs} regions; choose another view.",
                    field="views",
                )
            )
    return found


def _table_problems(exc):
    details = getattr(exc, "details", None)
    if not details:
        return [Problem(exc.message, field="table")]
    found = []
    for detail in details:
        where = []
        if detail.get("row") is not None:
            where.append(f"row {detail['row']}")
        if detail.get("column") is not None:
            where.append(f"column {detail['column']!r}")
        text = ", ".join(where) + ": " + detail["message"] if where else detail["message"]
        text = text[0].upper() + text[1:]
        found.append(
            Problem(
                text.rstrip(".") + ".",
                row=detail.get("row"),
                column=detail.get("column"),
                suggestions=tuple(detail.get("suggestions") or ()),
                field="table",
            )
        )
    return found


def _brainpainter_problems(table, settings):
    """BrainPainter mode rejects negative values: name every column, not only the first."""
    position = {key: index for index, key in enumerate(table.region_keys)}
    top = len(settings.colors) - 1
    found = []
    for row in table.rows:
        negative = [column for column, keys in table.columns.items() if keys and row.values[position[keys[0]]] < 0]
        if negative:
            listed = ", ".join(repr(c) for c in negative[:6])
            listed += f" and {len(negative) - 6} more" if len(negative) > 6 else ""
            found.append(
                Problem(
                    f"Row {row.row}: BrainPainter colour mode needs values from 0 to {top}, but "
                    f"{len(negative)} cell(s) are negative (columns {listed}). "
                    "Use the default colour mode for values in any range.",
                    row=row.row,
                    field="mode",
                )
            )
    return found
