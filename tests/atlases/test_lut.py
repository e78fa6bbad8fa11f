import pytest

from cortico.atlases._aseg import freesurfer_lut
from cortico.atlases._lut import read_label_table
from cortico.exceptions import InputError


def test_freesurfer_lut():
    lut = freesurfer_lut()
    assert lut[17].name == "Left-Hippocampus"
    assert lut[17].color == pytest.approx((220 / 255, 216 / 255, 20 / 255))
    assert len(lut) > 1000


def test_csv_with_header_bom_and_semicolons(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("\ufeffid;name;r;g;b\r\n1;Visual;255;0;0\r\n2;Auditory;0;0;255;\r\n", encoding="utf-8")
    table = read_label_table(path)
    assert [(e.id, e.name, e.color) for e in table.values()] == [
        (1, "Visual", (1.0, 0.0, 0.0)),
        (2, "Auditory", (0.0, 0.0, 1.0)),
    ]


def test_csv_without_colours(tmp_path):
    path = tmp_path / "labels.csv"
    path.write_text("5,Thalamus\n6,Pons\n")
    assert read_label_table(path)[6].name == "Pons"


@pytest.mark.parametrize(
    "text, message",
    [
        ("id,name\nx,Visual\n", "row 2: id 'x' is not an integer"),
        ("id,name\n1,Visual\n1,Pons\n", "id 1 is defined twice"),
        ("id,name\n1,Visual,300,0,0\n", r"outside 0..255"),
        ("id,name\n1,Visual,1\n", "expected 'id,name' or 'id,name,r,g,b'"),
        ("id,name\n", "contains no labels"),
    ],
)
def test_csv_errors_name_file_and_row(tmp_path, text, message):
    path = tmp_path / "table.csv"
    path.write_text(text)
    with pytest.raises(InputError, match=f"table.csv.*{message}"):
        read_label_table(path)


def test_lut_errors(tmp_path):
    path = tmp_path / "my.lut"
    path.write_text("# comment\n0 Unknown 0 0 0 0\nseven Thing 1 2 3 0\n")
    with pytest.raises(InputError, match="my.lut line 3: id 'seven' is not an integer"):
        read_label_table(path)
    with pytest.raises(InputError, match="missing.txt: file not found"):
        read_label_table(tmp_path / "missing.txt")
