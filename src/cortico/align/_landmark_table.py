"""Landmark pairs pasted as a table (CSV, tab- or space-separated) instead of JSON."""

import csv
import io

from cortico.exceptions import InputError

_COORDINATES = 6  # source x y z (template), target x y z (patch)


def landmark_pairs_from_table(text: str) -> list[dict[str, object]]:
    """Pairs ``[{"source_point": [x, y, z], "target_point": [x, y, z]}]`` from a table.

    Each line holds six numbers, source (template) x y z then target (patch) x y z, separated
    by commas, semicolons, tabs or spaces; an optional first column names the pair and an
    optional header line (any line whose coordinates are not numbers, first only) is skipped.
    Every problem is reported at once, with its line.
    """
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    pairs, problems = [], []
    for number, line in enumerate(lines, start=1):
        cells = _cells(line)
        name = None
        if len(cells) == _COORDINATES + 1:
            name, cells = cells[0], cells[1:]
        try:
            values = [float(cell) for cell in cells]
        except ValueError:
            if number == 1:
                continue  # a header
            problems.append(f"line {number}: {line.strip()[:60]!r} has a cell that is not a number")
            continue
        if len(values) != _COORDINATES:
            problems.append(
                f"line {number}: {len(values)} numbers; expected 6 (template x y z, then patch x y z), "
                "optionally after a name"
            )
            continue
        pair: dict[str, object] = {"source_point": values[:3], "target_point": values[3:]}
        if name:
            pair["name"] = name
        pairs.append(pair)
    if problems:
        raise InputError(f"The landmark table has {len(problems)} problem(s).", problems)
    if not pairs:
        raise InputError("The landmark table has no pair: expected lines of 6 numbers.")
    return pairs


def _cells(line: str) -> list[str]:
    delimiter = next((d for d in (",", ";", "\t") if d in line), None)
    if delimiter is None:
        return line.split()
    return [cell.strip() for cell in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
