import io
import math

import numpy as np
import pandas as pd
import pytest

from cortico.exceptions import InputError, LimitExceededError
from cortico.paint import read_values_table, values_table_from_data


def _problems(source, atlas):
    with pytest.raises(InputError) as caught:
        read_values_table(source, atlas)
    return caught.value


def test_v2_csv_with_bom_semicolons_crlf_trailing_columns_and_decimal_commas(dk):
    text = "\ufeffImage-name-unique;Left-Hippocampus;Right-superiorfrontal;;\r\n42;1,5;2;;\r\nsub-2;NaN;;;\r\n"
    table = read_values_table(text.encode("utf-8"), dk)
    assert [row.name for row in table.rows] == ["42", "sub-2"]
    hippo, sfg = (
        dk.region("lh.Hippocampus").index,
        dk.region("rh.superiorfrontal").index,
    )
    assert table.rows[0].values[hippo] == 1.5 and table.rows[0].values[sfg] == 2.0
    assert math.isnan(table.rows[1].values[hippo]) and math.isnan(table.rows[1].values[sfg])
    assert np.isnan(table.rows[0].values[dk.region("rh.Hippocampus").index])
    assert table.columns == {
        "Left-Hippocampus": ["lh.Hippocampus"],
        "Right-superiorfrontal": ["rh.superiorfrontal"],
    }


def test_v1_names_paint_both_hemispheres_and_thalamus_proper_is_accepted(dk):
    table = read_values_table(b"Image-name-unique,bankssts,Thalamus-Proper,unknown\na,1,2,0\n", dk)
    values = table.rows[0].values
    for key, expected in [
        ("lh.bankssts", 1),
        ("rh.bankssts", 1),
        ("lh.Thalamus", 2),
        ("rh.Thalamus", 2),
    ]:
        assert values[dk.region(key).index] == expected


def test_utf16_and_tab_delimited_file_path(dk, tmp_path):
    path = tmp_path / "values.tsv"
    path.write_bytes("Image-name-unique\tLeft-Putamen\nx\t3\n".encode("utf-16"))
    table = read_values_table(path, dk)
    assert table.rows[0].values[dk.region("lh.Putamen").index] == 3


def test_file_object_text(dk):
    table = read_values_table(io.StringIO("Image-name-unique,Left-Putamen\nx,3\n"), dk)
    assert table.rows[0].name == "x"


def test_all_problems_are_reported_at_once_with_row_and_column(dk):
    text = (
        "Name,Left-Hippocampus,Left-Hipocampus-typo,Right-Putamen,Right-Putamen\n"
        "a,1,2,abc,1\n"
        "a,2,3\n"
        ",1,2,3,4\n"
        "b,inf,1,2,3,9,9\n"
    )
    error = _problems(text.encode(), dk)
    text_problems = "\n".join(error.problems)
    assert "Row 1: the first column must be 'Image-name-unique' (found 'Name')" in text_problems
    assert "Row 1, column 'Right-Putamen': this column appears more than once" in text_problems
    assert "Row 2, column 'Right-Putamen': 'abc' is not a number" in text_problems
    assert "Row 3: has 3 cells but the header has 5 columns (ragged row)" in text_problems
    assert "Row 4, column 'Name': the image name is empty" in text_problems
    assert "Row 5: has 7 cells but the header has 5 columns; remove the extra values ('9', '9')" in text_problems
    assert len(error.problems) >= 6
    details = {(d.row, d.column) for d in error.details}
    assert (2, "Right-Putamen") in details


def test_duplicated_image_names_are_rejected_with_both_rows(dk):
    error = _problems(b"Image-name-unique,Left-Putamen\ns1,1\ns1,2\n", dk)
    assert error.problems == [
        "Row 3, column 'Image-name-unique': image name 's1' is already used in row 2; image names must be unique."
    ]


def test_misspelt_region_missing_from_table_is_an_error_with_suggestion(dk):
    error = _problems(b"Image-name-unique,Left-Hipocampus\ns1,1\n", dk)
    (detail,) = [d for d in error.details if d.column == "Left-Hipocampus"]
    assert detail.suggestions[0] == "Left-Hippocampus"
    assert detail.field == "table"
    assert "did you mean 'Left-Hippocampus'" in detail.message


def test_extra_columns_are_warnings_not_errors(dk):
    table = read_values_table(b"Image-name-unique,Left-Putamen,Age,Sex\ns1,1,33,1\n", dk)
    assert any("'Age' matches no region" in w for w in table.warnings)
    assert any("'Sex' matches no region" in w for w in table.warnings)
    assert any("have no column and are painted in the no-data colour" in w for w in table.warnings)


def test_header_only_and_empty_files(dk):
    assert "no data rows" in str(_problems(b"Image-name-unique,Left-Putamen\n", dk))
    assert "is empty" in str(_problems(b"\n\n", dk))


def test_no_known_column_means_wrong_atlas(dk):
    error = _problems(b"Image-name-unique,Foo,Bar\nx,1,2\n", dk)
    assert any("No column names a region of atlas 'dk'" in p for p in error.problems)


def test_max_rows_limit(dk):
    with pytest.raises(LimitExceededError, match="more than 2 data rows; this server paints at most 2 rows"):
        read_values_table(b"Image-name-unique,Left-Putamen\na,1\nb,2\nc,3\n", dk, max_rows=2)
    assert len(read_values_table(b"Image-name-unique,Left-Putamen\na,1\n\nb,2\n", dk, max_rows=2).rows) == 2


def test_rows_are_counted_while_reading(dk, monkeypatch):
    """Past the row limit the rest of the table is not even split into cells."""
    import csv

    read = []
    real_reader = csv.reader

    class CountingReader:
        def __init__(self, *args, **kwargs):
            self.reader = real_reader(*args, **kwargs)

        def __iter__(self):
            return self

        def __next__(self):
            read.append(next(self.reader))
            return read[-1]

        @property
        def line_num(self):
            return self.reader.line_num

    monkeypatch.setattr(csv, "reader", CountingReader)
    table = b"Image-name-unique,Left-Putamen\n" + b"".join(b"r%d,1\n" % i for i in range(100_000))
    with pytest.raises(LimitExceededError):
        read_values_table(table, dk, max_rows=500)
    assert len(read) == 502


def test_a_cell_longer_than_the_field_limit_is_a_limit_error(dk):
    table = b"Image-name-unique,Left-Putamen\na," + b"1" * (4 << 20) + b"\n"
    with pytest.raises(LimitExceededError, match="Line 2 of the uploaded table has a cell longer than 131072"):
        read_values_table(table, dk)


def test_dataframe_and_dict_inputs(dk):
    frame = pd.DataFrame(
        {"Left-Putamen": [1.0, np.nan], "lh.superiorfrontal": [2.0, 3.0]},
        index=["a", "b"],
    )
    table = values_table_from_data(frame, dk)
    putamen, sfg = dk.region("lh.Putamen").index, dk.region("lh.superiorfrontal").index
    assert table.matrix()[:, putamen][0] == 1.0 and math.isnan(table.matrix()[1, putamen])
    assert list(table.matrix()[:, sfg]) == [2.0, 3.0]
    single = values_table_from_data({"Left-Putamen": 0.25}, dk)
    assert single.rows[0].values[putamen] == 0.25
    nested = values_table_from_data({"s1": {"Left-Putamen": 1}, "s2": {"Left-Putamen": 2}}, dk)
    assert [r.name for r in nested.rows] == ["s1", "s2"]
    assert list(nested.to_frame()["lh.Putamen"]) == [1.0, 2.0]


@pytest.mark.parametrize("atlas_name", ["dk", "destrieux", "dkt"])
@pytest.mark.parametrize("schema", ["v1", "v2"])
def test_brainpainter_templates_fill_every_region(atlas_name, schema):
    from cortico.atlases import load_atlas, template_columns

    atlas = load_atlas(atlas_name)
    columns = list(template_columns(atlas, schema=schema))
    header = ",".join(["Image-name-unique", *columns])
    row = ",".join(["1", *(str(i % 5) for i in range(len(columns)))])
    table = read_values_table(f"{header}\r\n{row}\r\n".encode(), atlas)
    assert not [w for w in table.warnings if "matches no region" in w]
    assert not [w for w in table.warnings if "have no column" in w]
    assert not np.isnan(table.rows[0].values).any()


def test_table_without_region_columns(dk):
    error = _problems(b"Image-name-unique\na\n", dk)
    assert "Row 1: the header has no region columns after the image name." in error.problems


def test_nul_characters_are_refused_with_their_line(dk):
    with pytest.raises(InputError, match="Line 3 of the uploaded table contains a NUL character"):
        read_values_table(b"Image-name-unique,Left-Putamen\na,1\nb\x00,2\n", dk)
