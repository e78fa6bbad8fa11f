"""The values table: BrainPainter CSVs (and DataFrames/dicts) -> region values per row.

Accepts what real files contain: a UTF-8/UTF-16 byte-order mark, ``,`` ``;`` or tab
delimiters, Windows line ends, trailing empty columns, numeric image names, decimal
commas in ``;``-separated files, ``NaN``/empty cells (painted in the no-data
colour). Every problem is collected and reported at once, with the spreadsheet row
number (the header is row 1), the column and what was expected.

Column names are matched to regions by the atlas (``atlas.resolve``): BrainPainter v1
(hemisphere-agnostic) and v2 (``Left-``/``Right-``) names both work. Unknown extra
columns are warnings, unless they look like a misspelt region that the table lacks
(then they are errors, since the region would silently stay grey). Columns naming the
medial wall (``unknown``) are accepted and ignored: the medial wall is not painted.
"""

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from cortico.atlases._templates import IMAGE_NAME_COLUMN
from cortico.exceptions import InputError, LimitExceededError, Problem, located

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ValuesRow",
    "ValuesTable",
    "read_values_table",
    "values_table_from_data",
]

NAME_COLUMN = IMAGE_NAME_COLUMN
_NAN_WORDS = {"", "nan", "na", "n/a", "none", "null", "-"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_MAX_LISTED = 12


def _problem(text, row=None, column=None, suggestions=()):
    """A table Problem whose sentence says where it is."""
    return Problem(located(text, row, column), row=row, column=column, field="table", suggestions=tuple(suggestions))


@dataclass
class ValuesRow:
    """One image to paint: its name and one value per atlas region (NaN = no data)."""

    name: str
    values: np.ndarray
    row: int | None = None


@dataclass
class ValuesTable:
    """Region values per image, aligned with ``atlas.regions``.

    Attributes
    ----------
    atlas_name : str
    region_keys : list of str
        ``atlas.regions`` keys, the order of every row's ``values``.
    rows : list of ValuesRow
    columns : dict
        Column name -> region keys it paints.
    warnings : list of str
        Things that did not stop parsing (extra columns, regions without values).
    """

    atlas_name: str
    region_keys: list
    rows: list
    columns: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def matrix(self) -> np.ndarray:
        """All values, shape (rows, regions)."""
        if not self.rows:
            return np.zeros((0, len(self.region_keys)))
        return np.vstack([row.values for row in self.rows])

    def to_frame(self) -> "pd.DataFrame":
        """A pandas DataFrame indexed by image name, one column per region key."""
        import pandas as pd

        return pd.DataFrame(
            self.matrix(),
            index=[row.name for row in self.rows],
            columns=self.region_keys,
        )


def _raise(problems, what):
    count = len(problems)
    listed = "; ".join(p.message.rstrip(".") for p in problems[:_MAX_LISTED])
    more = f"; and {count - _MAX_LISTED} more" if count > _MAX_LISTED else ""
    raise InputError(f"{what}: {count} problem{'s' if count != 1 else ''}: {listed}{more}.", problems=problems)


def _decode(data):
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_text(source):
    if isinstance(source, (bytes, bytearray)):
        return _decode(bytes(source)), "the uploaded table"
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return _decode(path.read_bytes()), path.name
        except OSError as exc:
            raise InputError(f"Cannot read values table {path.name!r}: {exc.strerror}.") from None
    if hasattr(source, "read"):
        data = source.read()
        text = _decode(data) if isinstance(data, (bytes, bytearray)) else str(data).lstrip("\ufeff")
        return text, getattr(source, "name", "the values table")
    raise InputError(f"A values table must be a path, bytes or a file object, got {type(source).__name__}.")


def _delimiter(header_line):
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _parse_number(text, decimal_comma):
    cell = text.strip()
    if cell.lower() in _NAN_WORDS:
        return math.nan, None
    if decimal_comma and _DECIMAL_COMMA.match(cell):
        cell = cell.replace(",", ".")
    try:
        value = float(cell)
    except ValueError:
        return (
            None,
            f"{text.strip()!r} is not a number (use a number, or leave the cell empty for no data)",
        )
    if math.isinf(value):
        return (
            None,
            f"{text.strip()!r} is infinite; use a finite number or leave the cell empty",
        )
    return value, None


def _is_name_column(text):
    return re.sub(r"[^a-z]", "", text.lower()) == "imagenameunique"


def _resolve_columns(atlas, columns, problems, warnings):
    """Map columns to region indices; collect problems and warnings."""
    resolution = atlas.resolve(columns)
    missing_keys = {region.key for region in resolution.missing}
    column_regions = {}
    for column in columns:
        if column in resolution.mapping:
            column_regions[column] = [region.index for region in resolution.mapping[column]]
        elif column in resolution.ambiguous:
            keys = resolution.ambiguous[column]
            problems.append(
                _problem(
                    f"the name matches several regions ({', '.join(keys)}); use one of their full names",
                    column=column,
                    suggestions=tuple(keys),
                )
            )
        elif column in resolution.unknown:
            suggestions = tuple(resolution.unknown[column])
            best = atlas.resolve(list(suggestions[:1])).mapping.get(suggestions[0], ()) if suggestions else ()
            lacking = [suggestions[0]] if best and all(r.key in missing_keys for r in best) else []
            if lacking:
                problems.append(
                    _problem(
                        f"no region of atlas {atlas.name!r} has this name; did you mean "
                        f"{' or '.join(repr(s) for s in lacking)}? (that region has no column)",
                        column=column,
                        suggestions=suggestions,
                    )
                )
            else:
                hint = f" (closest: {', '.join(repr(s) for s in suggestions)})" if suggestions else ""
                warnings.append(f"Column {column!r} matches no region of atlas {atlas.name!r} and is ignored{hint}.")
    for message in resolution.problems:
        if "both give a value" in message:
            problems.append(_problem(message))
    return column_regions, resolution


def _missing_warning(atlas, resolution, column_regions):
    painted = {index for indices in column_regions.values() for index in indices}
    missing = [region.key for region in atlas.regions if region.index not in painted]
    if not missing or not painted:
        return None
    listed = ", ".join(missing[:_MAX_LISTED])
    if len(missing) > _MAX_LISTED:
        listed += f" and {len(missing) - _MAX_LISTED} more"
    return (
        f"{len(missing)} region(s) of atlas {atlas.name!r} have no column and are painted in the "
        f"no-data colour: {listed}."
    )


def _records(reader, label, max_rows):
    """Non-blank records ``(line number, cells)``, header first.

    Rows are counted while reading: past ``max_rows`` data rows the rest of the
    table is not read at all.
    """
    records = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            records.append((reader.line_num, cells))
            if max_rows is not None and len(records) > max_rows + 1:
                raise LimitExceededError(
                    f"The table has more than {max_rows} data rows; this server paints at most {max_rows} rows "
                    "per job. Split the table into several jobs."
                )
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise LimitExceededError(
                f"Line {reader.line_num} of {label} has a cell longer than {csv.field_size_limit()} characters."
            ) from None
        raise InputError(f"{label}, line {reader.line_num}: {exc}.") from None
    return records


def read_values_table(source, atlas, max_rows=None, max_columns=None) -> ValuesTable:
    """Parse a BrainPainter-style CSV into region values per image.

    Parameters
    ----------
    source : str, Path, bytes or file object
        The CSV (path, raw bytes of an upload, or an open file).
    atlas : cortico.atlases.Atlas
        Atlas whose region names the columns use.
    max_columns : int, optional
        Refuse tables with more columns before any name is resolved (resolving
        names with suggestions costs time per column).
    max_rows : int, optional
        Refuse tables with more data rows, without reading past the limit.

    Returns
    -------
    ValuesTable

    Raises
    ------
    InputError
        With ``.details``: every problem found, as :class:`~cortico.exceptions.Problem`
        with its row, column and suggestions (``.problems``: their sentences).
    LimitExceededError
        More than ``max_rows`` data rows or ``max_columns`` value columns, or a
        cell longer than the CSV reader's field limit.
    """
    text, label = _read_text(source)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            f"Line {line} of {label} contains a NUL character: this is not a text CSV file "
            "(save a spreadsheet as CSV first)."
        )
    header_line = next((m.group() for m in re.finditer(r"[^\r\n]+", text) if m.group().strip()), "")
    if not header_line:
        raise InputError(f"{label} is empty: expected a header row starting with {NAME_COLUMN!r}.")
    delimiter = _delimiter(header_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = _records(reader, label, max_rows)
    if not records:  # e.g. only quotes or separators: lines that hold no cell
        raise InputError(f"{label} has no header row: expected a first row starting with {NAME_COLUMN!r}.")
    _, header = records[0]
    header = [cell.replace("\ufeff", "").strip() for cell in header]
    while header and not header[-1]:
        header.pop()
    if max_columns is not None and len(header) - 1 > max_columns:
        raise LimitExceededError(
            f"{label} has {len(header) - 1} value columns; at most {max_columns} are allowed "
            "(an atlas has at most a few hundred regions)."
        )
    problems, warnings = [], []
    if not header or not _is_name_column(header[0]):
        found = header[0] if header else ""
        problems.append(_problem(f"the first column must be {NAME_COLUMN!r} (found {found!r})", row=1))
    columns = header[1:]
    for position, column in enumerate(columns, start=2):
        if not column:
            problems.append(_problem(f"column {position} of the header has no name", row=1))
    seen = {}
    for column in columns:
        if column and column in seen:
            problems.append(
                _problem(
                    "this column appears more than once in the header",
                    row=1,
                    column=column,
                )
            )
        seen[column] = True
    named = [c for c in dict.fromkeys(columns) if c]
    column_regions, resolution = _resolve_columns(atlas, named, problems, warnings)
    if not named and header:
        problems.append(_problem("the header has no region columns after the image name", row=1))
    elif named and not column_regions and not resolution.medial_wall:
        problems.append(_problem(f"no column names a region of atlas {atlas.name!r}; is this the right atlas?"))
    data_records = records[1:]
    if not data_records:
        problems.append(_problem("the table has a header but no data rows"))
    decimal_comma = delimiter == ";"
    rows, names = [], {}
    width = len(header)
    for number, cells in data_records:
        cells = [c.strip() for c in cells]
        if len(cells) < width:
            problems.append(
                _problem(
                    f"has {len(cells)} cells but the header has {width} columns (ragged row); "
                    "add empty cells for missing values",
                    row=number,
                )
            )
            continue
        extra = [c for c in cells[width:] if c]
        if extra:
            problems.append(
                _problem(
                    f"has {len(cells)} cells but the header has {width} columns; "
                    f"remove the extra values ({', '.join(repr(c) for c in extra[:3])})",
                    row=number,
                )
            )
            continue
        name = cells[0].strip()
        if not name:
            problems.append(
                _problem(
                    "the image name is empty",
                    row=number,
                    column=header[0] if header else None,
                )
            )
        elif name in names:
            problems.append(
                _problem(
                    f"image name {name!r} is already used in row {names[name]}; image names must be unique",
                    row=number,
                    column=header[0],
                )
            )
        else:
            names[name] = number
        values = np.full(len(atlas.regions), np.nan)
        for column, cell in zip(header[1:], cells[1:width], strict=True):
            if column not in column_regions:
                continue
            value, error = _parse_number(cell, decimal_comma)
            if error:
                problems.append(_problem(error, row=number, column=column))
            else:
                values[column_regions[column]] = value
        rows.append(ValuesRow(name, values, number))
    if problems:
        _raise(problems, f"{label} cannot be painted")
    missing = _missing_warning(atlas, resolution, column_regions)
    if missing:
        warnings.append(missing)
    return ValuesTable(
        atlas.name,
        [r.key for r in atlas.regions],
        rows,
        {column: [atlas.regions[i].key for i in indices] for column, indices in column_regions.items()},
        warnings,
    )


def values_table_from_data(data, atlas) -> ValuesTable:
    """Build a :class:`ValuesTable` from a DataFrame or dict (see :func:`cortico.paint.paint`).

    Parameters
    ----------
    data : pandas.DataFrame or dict
        Rows indexed by image name (or an ``Image-name-unique`` column), columns
        named like CSV columns or region keys; or ``{image: {column: value}}``; or
        one row ``{column: value}``.
    atlas : cortico.atlases.Atlas

    Returns
    -------
    ValuesTable
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data
        name_columns = [c for c in frame.columns if _is_name_column(str(c))]
        if name_columns:
            frame = frame.set_index(name_columns[0])
    elif isinstance(data, dict):
        if data and all(isinstance(v, dict) for v in data.values()):
            frame = pd.DataFrame.from_dict(data, orient="index")
        else:
            frame = pd.DataFrame([data], index=["image"])
    else:
        raise InputError(f"Values must be a pandas DataFrame or a dict, got {type(data).__name__}.")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([NAME_COLUMN, *(str(c) for c in frame.columns)])
    for name, row in frame.iterrows():
        writer.writerow([str(name), *("" if _is_missing(v) else _cell(v) for v in row.tolist())])
    return read_values_table(buffer.getvalue().encode("utf-8"), atlas)


def _is_missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cell(value):
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)
