"""Label tables: FreeSurfer colour LUTs and CSV ``id,name[,r,g,b]`` files."""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from cortico.exceptions import InputError


@dataclass(frozen=True)
class LabelEntry:
    """One row of a label table: integer id, name and (r, g, b) colour in 0..1."""

    id: int
    name: str
    color: tuple


def _read_text(path):
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Label table {path.name}: file not found.")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"Label table {path.name}: not a UTF-8 text file ({exc}).") from None


def _color(values, where, problems, scale):
    try:
        rgb = [float(v) for v in values]
    except ValueError:
        problems.append(f"{where}: colour {values} is not numeric.")
        return None
    if any(not 0 <= c <= scale for c in rgb):
        problems.append(f"{where}: colour {values} is outside 0..{scale:g}.")
        return None
    return tuple(c / scale for c in rgb)


def _finish(entries, problems, label):
    seen = {}
    for entry in entries:
        if entry.id in seen:
            problems.append(f"{label}: id {entry.id} is defined twice ({seen[entry.id]!r} and {entry.name!r}).")
        seen[entry.id] = entry.name
    if problems:
        raise InputError(f"{label} is malformed: " + "; ".join(problems[:5]), problems)
    if not entries:
        raise InputError(f"{label} contains no labels.")
    return {entry.id: entry for entry in entries}


def parse_freesurfer_lut(text, label="FreeSurfer LUT"):
    """Parse a FreeSurfer colour LUT (``id name r g b a`` per line, ``#`` comments).

    Returns
    -------
    dict of int -> LabelEntry
    """
    entries, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        where = f"{label} line {number}"
        if len(fields) < 2:
            problems.append(f"{where}: expected 'id name r g b a', got {line!r}.")
            continue
        if not re.fullmatch(r"[+-]?\d+", fields[0]):
            problems.append(f"{where}: id {fields[0]!r} is not an integer.")
            continue
        color = (0.5, 0.5, 0.5)
        if len(fields) >= 5:
            color = _color(fields[2:5], where, problems, 255.0)
            if color is None:
                continue
        entries.append(LabelEntry(int(fields[0]), fields[1], color))
    return _finish(entries, problems, label)


def parse_csv_table(text, label="CSV label table"):
    """Parse a CSV label table ``id,name[,r,g,b]`` (header row optional, colours 0..255)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first.count)
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(cell.strip() for cell in row)]
    if rows and not re.fullmatch(r"\s*[+-]?\d+\s*", rows[0][0]):
        rows = rows[1:]  # header
        start = 2
    else:
        start = 1
    entries, problems = [], []
    for number, row in enumerate(rows, start=start):
        row = [cell.strip() for cell in row]
        while row and not row[-1]:
            row.pop()
        where = f"{label} row {number}"
        if len(row) not in (2, 5, 6):
            problems.append(f"{where}: expected 'id,name' or 'id,name,r,g,b', got {len(row)} columns.")
            continue
        if not re.fullmatch(r"[+-]?\d+", row[0]):
            problems.append(f"{where}: id {row[0]!r} is not an integer.")
            continue
        if not row[1]:
            problems.append(f"{where}: empty name.")
            continue
        color = (0.5, 0.5, 0.5)
        if len(row) >= 5:
            color = _color(row[2:5], where, problems, 255.0)
            if color is None:
                continue
        entries.append(LabelEntry(int(row[0]), row[1], color))
    return _finish(entries, problems, label)


def read_label_table(path):
    """Read a label table file: CSV (``.csv``/``.tsv`` or comma-separated) or FreeSurfer LUT.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict of int -> LabelEntry
    """
    path = Path(path)
    text = _read_text(path)
    first = next((line for line in text.splitlines() if line.strip() and not line.startswith("#")), "")
    if path.suffix.lower() in (".csv", ".tsv") or "," in first or ";" in first:
        return parse_csv_table(text, f"Label table {path.name}")
    return parse_freesurfer_lut(text, f"Label table {path.name}")
