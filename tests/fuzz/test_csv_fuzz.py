"""Fuzzing the values-table parser: every input is a table or a clean InputError."""

import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cortico.atlases import load_atlas, template_columns
from cortico.exceptions import CorticoError
from cortico.paint import ValuesTable, read_values_table

ATLAS = load_atlas("dk")
COLUMNS = template_columns("dk", schema="v2")
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

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


@pytest.mark.parametrize("rows", [3000])
def test_memory_stays_bounded_on_a_large_table(rows):
    header = ",".join(["Image-name-unique", *COLUMNS])
    body = "\n".join(f"img{i}," + ",".join(["1.5"] * len(COLUMNS)) for i in range(rows))
    data = f"{header}\n{body}\n".encode()
    tracemalloc.start()
    try:
        _parse(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 40 * len(data) + 64 * 2**20
