"""Fuzzing the values-table parser: every input is a table or a clean InputError."""

import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cortico.atlases import load_atlas, template_columns
from cortico.exceptions import CorticoError
from cortico.paint import ValuesTable, read_values_table
from tests.conftest import REPO, examples

ATLAS = load_atlas("dk")
COLUMNS = template_columns("dk", schema="v2")
FUZZ = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])

cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "NaN",
            "nan",
            "inf",
            "-",
            "1,5",
            "1e309",
            "abc",
            '"',
            "'",
            "\\",
            "\x00",
            "1;2",
            "=cmd|' /C calc'!A0",
            "../../etc/passwd",
            "１２",
        ]
    ),
    st.text(max_size=12),
)
headers = st.lists(
    st.one_of(
        st.sampled_from(COLUMNS),
        st.sampled_from(["Image-name-unique", "", "unknown", "Left-Thalamus-Proper", "lh_bankssts"]),
        st.text(max_size=20),
    ),
    min_size=0,
    max_size=12,
)


def _parse(data):
    try:
        table = read_values_table(data, ATLAS)
    except CorticoError as exc:
        assert exc.message and isinstance(exc.message, str)
        assert all(isinstance(p, str) and p for p in exc.problems)
        return None
    assert isinstance(table, ValuesTable)
    return table


@FUZZ
@given(st.binary(max_size=4096))
# Tables of only quotes or separators crashed the parser (fixed); kept as fixed examples.
@example(b'"""')
@example(b',;\t|\n"')
def test_random_bytes(data):
    _parse(data)


@FUZZ
@given(
    header=headers,
    rows=st.lists(st.lists(cells, max_size=14), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
)
def test_structured_tables(header, rows, delimiter, newline, bom):
    lines = [delimiter.join(["Image-name-unique", *header])]
    lines += [delimiter.join(row) for row in rows]
    text = newline.join(lines)
    data = (("\ufeff" if bom else "") + text).encode("utf-8", "surrogatepass")
    _parse(data)


@FUZZ
@given(
    values=st.lists(
        st.floats(allow_nan=True, allow_infinity=False, width=32), min_size=len(COLUMNS), max_size=len(COLUMNS)
    )
)
def test_valid_template_rows_parse_to_their_values(values):
    header = ",".join(["Image-name-unique", *COLUMNS])
    row = ",".join(["img", *("" if v != v else repr(float(v)) for v in values)])
    table = _parse(f"{header}\n{row}\n".encode())
    assert table is not None and len(table.rows) == 1


# The table is parsed in a fresh process whose peak resident memory is reset (Linux
# /proc/self/clear_refs) right before parsing: the growth of that peak is every byte the
# parser held at once, measured without tracemalloc (which slowed this test 20 times).
_PEAK_SCRIPT = """
import sys
from cortico.atlases import load_atlas, template_columns
from cortico.paint import read_values_table

def vm(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field))

atlas, columns, rows = load_atlas("dk"), template_columns("dk", schema="v2"), int(sys.argv[1])
header = ",".join(["Image-name-unique", *columns])
body = "\\n".join(f"img{i}," + ",".join(["1.5"] * len(columns)) for i in range(rows))
data = f"{header}\\n{body}\\n".encode()
del body
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak (VmHWM) restarts from the current resident size
before = vm("VmRSS:")
table = read_values_table(data, atlas)
assert len(table.rows) == rows
print(len(data), vm("VmHWM:") - before)
"""


@pytest.mark.parametrize("rows", [3000])
def test_memory_stays_bounded_on_a_large_table(rows):
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_SCRIPT, str(rows)], capture_output=True, text=True, check=True, env=_env()
    )
    size, peak = map(int, done.stdout.split())
    assert size > 10**6  # a large table: over a megabyte
    assert peak < 40 * size + 64 * 2**20


def _env():
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
