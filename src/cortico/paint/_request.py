"""A painting request, checked once: settings + values table + limits -> PaintRequest.

Every entry point (``cortico paint``, the paint job, ``/api/v1/paint`` and the painting
page) checks a request here, so they all report the same problems in the same words.
Problems are collected, never raised one by one: the user sees every one of them at once.
A checked request is saved next to its table (:meth:`PaintRequest.save`) so that the
worker and the 3D view load it instead of parsing the CSV again.
"""

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cortico.exceptions import CorticoError, InputError, LimitExceededError, Problem
from cortico.paint._atlas_choice import load_paint_atlas
from cortico.paint._figures import view_caption
from cortico.paint._files import INPUT_CSV, REQUEST_FILE
from cortico.paint._limits import PaintLimits
from cortico.paint._render import default_views, view_shows_atlas
from cortico.paint._settings import PaintSettings
from cortico.paint._table import NAME_COLUMN, ValuesRow, ValuesTable, read_values_table
from cortico.paint._views import get_view

__all__ = ["PaintRequest", "check_paint_request", "saved_request_exists", "values_to_csv"]

_MAX_LISTED = 12


@dataclass
class PaintRequest:
    """A checked painting request.

    Attributes
    ----------
    settings : PaintSettings or None
        None when the settings have problems.
    table : ValuesTable or None
        The parsed table; None when it has problems.
    atlas : cortico.atlases.Atlas or None
    table_bytes : bytes or None
        The values CSV as given.
    problems : list of Problem
        Every problem (empty when the request can be painted).
    warnings : list of str
        Things that do not stop painting (e.g. columns matching no region).
    """

    settings: PaintSettings | None = None
    table: ValuesTable | None = None
    atlas: object = None
    table_bytes: bytes | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no problem."""
        return not self.problems

    def error(self) -> CorticoError:
        """The error describing every problem (LimitExceededError if all are limits)."""
        count = len(self.problems)
        head = f"The painting request has {count} problem{'s' if count != 1 else ''}"
        listed = "; ".join(p.message.rstrip(".") for p in self.problems[:_MAX_LISTED])
        more = f"; and {count - _MAX_LISTED} more" if count > _MAX_LISTED else ""
        cls = LimitExceededError if all(p.limit for p in self.problems) else InputError
        return cls(f"{head}: {listed}{more}.", problems=self.problems)

    def raise_for_problems(self) -> None:
        """Raise :meth:`error` when there are problems."""
        if self.problems:
            raise self.error()

    def save(self, folder) -> None:
        """Write the table as given and the checked request into ``folder``.

        Raises
        ------
        InputError
            When the request has problems (only a checked request is saved).
        """
        self.raise_for_problems()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / INPUT_CSV).write_bytes(self.table_bytes)
        table = self.table
        meta = {
            "settings": self.settings.to_dict(),
            "atlas_name": table.atlas_name,
            "region_keys": list(table.region_keys),
            "columns": table.columns,
            "names": [row.name for row in table.rows],
            "rows": [row.row for row in table.rows],
            "warnings": list(self.warnings),
        }
        partial = folder / (REQUEST_FILE + ".part.npz")
        np.savez(partial, matrix=table.matrix(), meta=np.array(json.dumps(meta)))
        partial.replace(folder / REQUEST_FILE)

    @classmethod
    def load(cls, folder, store=None, owner=None) -> "PaintRequest":
        """The request :meth:`save` wrote into ``folder`` (no CSV parsing).

        Raises
        ------
        NotFoundError
            When its atlas is gone (a deleted imported atlas).
        OSError
            When the folder holds no saved request.
        """
        folder = Path(folder)
        with np.load(folder / REQUEST_FILE, allow_pickle=False) as stored:
            matrix = stored["matrix"]
            meta = json.loads(str(stored["meta"]))
        settings = PaintSettings.from_dict(meta["settings"])
        rows = [
            ValuesRow(name, np.array(values), number)
            for name, values, number in zip(meta["names"], matrix, meta["rows"], strict=True)
        ]
        table = ValuesTable(meta["atlas_name"], meta["region_keys"], rows, meta["columns"], list(meta["warnings"]))
        return cls(
            settings=settings,
            table=table,
            atlas=load_paint_atlas(settings.atlas, store, owner, settings.mesh),
            table_bytes=(folder / INPUT_CSV).read_bytes(),
            warnings=list(meta["warnings"]),
        )


def saved_request_exists(folder) -> bool:
    """True when ``folder`` holds a request written by :meth:`PaintRequest.save`."""
    return (Path(folder) / REQUEST_FILE).is_file()


def values_to_csv(values) -> bytes:
    """A BrainPainter CSV (UTF-8 bytes) from ``{image name: {column: value}}``.

    Raises
    ------
    InputError
        When ``values`` is not an object of objects, or a cell is neither a number
        nor null (every such cell is listed).
    """
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
    writer.writerow([NAME_COLUMN, *columns])
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


def check_paint_request(table_bytes, settings_data, limits=None, store=None, owner=None) -> PaintRequest:
    """Check everything about a painting request and collect every problem.

    Parameters
    ----------
    table_bytes : bytes or None
        The values CSV (an upload, or :func:`values_to_csv` of a JSON body).
    settings_data : dict or PaintSettings
        :class:`~cortico.paint.PaintSettings` fields (or settings already built).
    limits : PaintLimits, optional
        Default: :class:`PaintLimits` defaults.
    store : cortico.atlases.AtlasStore, optional
        Imported atlases (``"user:<name>"``) of ``owner``.
    owner : int or str, optional

    Returns
    -------
    PaintRequest
        ``problems`` lists every problem (empty when the request can be painted).
    """
    limits = limits or PaintLimits()
    request = PaintRequest(table_bytes=table_bytes)
    if isinstance(settings_data, PaintSettings):
        request.settings, settings_data = settings_data, settings_data.to_dict()
    elif not isinstance(settings_data, dict):
        request.problems.append(
            Problem("The settings must be an object of setting names and values.", field="settings")
        )
        settings_data = {}
    if request.settings is None:
        try:
            request.settings = PaintSettings.from_dict(settings_data)
        except InputError as exc:
            request.problems.extend(exc.details)
    atlas_name = settings_data.get("atlas", "dk") if request.settings is None else request.settings.atlas
    try:
        mesh = request.settings.mesh if request.settings is not None else "fsaverage"
        request.atlas = load_paint_atlas(str(atlas_name), store, owner, mesh)
    except CorticoError as exc:
        request.problems.append(Problem(exc.message, field="atlas"))
    request.problems.extend(_table_problems(request, limits))
    if request.settings is not None and request.atlas is not None:
        if "views" not in settings_data:  # no views chosen: those that show this atlas (aseg: subcortical)
            views = default_views(request.atlas) or request.settings.views
            request.settings = request.settings.replace(views=views)
        request.problems.extend(_view_problems(request.settings, request.atlas))
    if request.settings is not None and request.table is not None:
        request.problems.extend(limits.problems(request.settings, len(request.table.rows)))
        if request.settings.mode == "brainpainter":
            request.problems.extend(_brainpainter_problems(request.table, request.settings))
    return request


def _table_problems(request, limits):
    """Parse the table of ``request`` (setting its table and warnings); its problems."""
    table_bytes = request.table_bytes
    if table_bytes is None or not table_bytes.strip():
        return [
            Problem("No values table was given: upload a CSV whose first column is 'Image-name-unique'.", field="table")
        ]
    too_large = limits.upload_problem(len(table_bytes))
    if too_large:
        return [too_large]
    if request.atlas is None:
        return []
    try:
        request.table = read_values_table(
            table_bytes, request.atlas, max_rows=limits.max_rows, max_columns=limits.max_columns
        )
    except LimitExceededError as exc:
        return [Problem(exc.message, field="table", limit=True)]
    except InputError as exc:
        return [p if p.field else Problem(p.message, field="table") for p in exc.details] or [
            Problem(exc.message, field="table")
        ]
    request.warnings = list(request.table.warnings)
    return []


def _view_problems(settings, atlas):
    """Views that would show nothing of this atlas (no cortex, or no structures, on their side)."""
    kinds = {region.kind for region in atlas.regions}
    found = []
    for view in settings.view_objects + ([get_view(settings.movie_view)] if settings.movie else []):
        if not view_shows_atlas(atlas, view):
            needs = "cortical" if view.content == "cortex" else "subcortical"
            shows = "the cortex" if needs == "cortical" else "subcortical structures"
            where = "" if needs not in kinds else " in the hemisphere(s) it shows"
            found.append(
                Problem(
                    f"View {view_caption(view.name)!r} shows {shows}, but atlas {atlas.name!r} has no "
                    f"{needs} regions{where}; choose another view.",
                    field="views",
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
