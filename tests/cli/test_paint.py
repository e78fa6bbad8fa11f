import json

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from cortico.cli import main

pytestmark = pytest.mark.gl


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "values.csv"
    path.write_text(
        "Image-name-unique;Left-Hippocampus;Right-superiorfrontal\r\nsub 1;1;2\r\nsub 2;2;\r\n",
        encoding="utf-8-sig",
    )
    return path


def test_paint_command_writes_images_and_settings(csv_file, tmp_path):
    out = tmp_path / "out"
    args = [
        "paint",
        str(csv_file),
        "--out",
        str(out),
        "--views",
        "top,cortical-outer-right-hemisphere",
        "--colors",
        "#ffffff,#ff0000",
        "--vmin",
        "0",
        "--vmax",
        "2",
        "--size",
        "200x150",
        "--label",
        "z",
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Painted 2 row(s) x 2 view(s)" in result.output
    for name in (
        "top_sub_1.png",
        "top_sub_2.png",
        "cortical-outer-right-hemisphere_sub_1.png",
    ):
        assert Image.open(out / name).size == (200, 150)
    settings = json.loads((out / "settings.json").read_text())
    assert settings["colors"] == ["#ffffff", "#ff0000"] and settings["label"] == "z"
    rerun = CliRunner().invoke(
        main,
        [
            "paint",
            str(csv_file),
            "--out",
            str(tmp_path / "again"),
            "--settings",
            str(out / "settings.json"),
        ],
    )
    assert rerun.exit_code == 0, rerun.output
    np.testing.assert_array_equal(
        np.asarray(Image.open(out / "top_sub_1.png")),
        np.asarray(Image.open(tmp_path / "again" / "top_sub_1.png")),
    )


def test_paint_command_lists_every_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Image-name-unique,Left-Hippocampus\na,x\na,1\n")
    result = CliRunner().invoke(main, ["paint", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "Row 2, column 'Left-Hippocampus': 'x' is not a number" in result.output
    assert "Row 3, column 'Image-name-unique': image name 'a' is already used in row 2" in result.output
    assert "Traceback" not in result.output


def test_paint_command_reports_settings_and_table_problems_together(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Image-name-unique,Left-Hippocampus\na,x\n")
    args = ["paint", str(path), "--out", str(tmp_path / "o"), "--views", "sideways", "--vmin", "3", "--vmax", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Error: The painting request has 3 problems:"
    assert any("Unknown view 'sideways'" in line for line in lines[1:])
    assert "  - vmax (1) must be greater than vmin (3)." in lines
    assert any(line.startswith("  - Row 2, column 'Left-Hippocampus': 'x' is not a number") for line in lines)


def test_paint_command_rejects_bad_options(csv_file, tmp_path):
    result = CliRunner().invoke(main, ["paint", str(csv_file), "--out", str(tmp_path), "--views", "sideways"])
    assert result.exit_code == 1 and "Unknown view 'sideways'" in result.output
    result = CliRunner().invoke(main, ["paint", str(csv_file), "--out", str(tmp_path), "--surface", "sphere"])
    assert result.exit_code == 1 and "surface must be one of" in result.output
    result = CliRunner().invoke(main, ["paint", str(csv_file), "--out", str(tmp_path), "--size", "big"])
    assert result.exit_code == 2 and "expected WIDTHxHEIGHT" in result.output


@pytest.mark.parametrize(
    "atlas, mesh, view, header",
    [
        ("yeo7", "fsaverage5", "cortical-outer-left-hemisphere", "Left-Default"),
        ("glasser", "fsaverage6", "cortical-outer-left-hemisphere", "Left-55b"),
        ("mouse-dorsal", "fsaverage", "top", "Left-Somatomotor"),
    ],
)
def test_paint_new_atlases_and_lighter_meshes(tmp_path, atlas, mesh, view, header):
    values = tmp_path / "values.csv"
    values.write_text(f"Image-name-unique,{header}\nrow,1\n")
    out = tmp_path / "out"
    args = ["paint", str(values), "--out", str(out), "--atlas", atlas, "--mesh", mesh, "--views", view]
    result = CliRunner().invoke(main, [*args, "--colors", "#ff0000,#ff0000", "--size", "200x150"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "settings.json").read_text())["mesh"] == mesh
    image = np.asarray(Image.open(out / f"{view}_row.png"))[..., :3].astype(int)
    red = (image[..., 0] > 200) & (image[..., 1] < 60) & (image[..., 2] < 60)
    assert red.sum() > 50  # the named region is painted
