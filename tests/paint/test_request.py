"""Checking a painting request once: every problem with its field, row, column and suggestions."""

import numpy as np
import pytest

from cortico.exceptions import InputError, LimitExceededError, Problem
from cortico.paint import PaintLimits, PaintRequest, check_paint_request, saved_request_exists, values_to_csv

GOOD = b"Image-name-unique,Left-superiorfrontal,Right-precentral,Age\ncontrol,2.5,3.0,33\npatient,2.0,,41\n"


def test_a_good_request_has_settings_table_atlas_and_warnings():
    request = check_paint_request(GOOD, {"surface": "inflated", "views": ["top"]})
    assert request.ok and request.problems == []
    assert request.settings.surface == "inflated" and request.atlas.name == "dk"
    assert [row.name for row in request.table.rows] == ["control", "patient"]
    assert any("'Age' matches no region" in w for w in request.warnings)
    assert request.table_bytes == GOOD


def test_settings_and_table_problems_are_typed_and_collected_together():
    table = b"Image-name-unique,Left-superiorfrontl,Right-precentral\na,1,2\na,1,x\n"
    settings = {"vmin": 3, "vmax": 1, "views": ["top", "sideways"], "colors": ["#ffffff", "notacolour"]}
    request = check_paint_request(table, settings)
    by_field = {}
    for problem in request.problems:
        assert isinstance(problem, Problem) and problem.message.endswith(".")
        by_field.setdefault(problem.field, []).append(problem)
    assert set(by_field) == {"vmax", "views", "colors", "table"}
    assert by_field["vmax"][0].message == "vmax (1) must be greater than vmin (3)."
    assert "Unknown view 'sideways'" in by_field["views"][0].message
    misspelt = next(p for p in by_field["table"] if p.column == "Left-superiorfrontl")
    assert misspelt.suggestions[0] == "Left-superiorfrontal" and misspelt.row is None
    not_number = next(p for p in by_field["table"] if p.row == 3 and p.column == "Right-precentral")
    assert not_number.message.startswith("Row 3, column 'Right-precentral': 'x' is not a number")
    duplicate = next(p for p in by_field["table"] if p.column == "Image-name-unique")
    assert (duplicate.row, duplicate.message[:6]) == (3, "Row 3,")
    error = request.error()
    assert isinstance(error, InputError) and error.details == request.problems
    assert error.message.startswith(f"The painting request has {len(request.problems)} problems: ")
    assert error.problems == [p.message for p in request.problems]


def test_view_problems_name_the_views_field():
    aseg_only = check_paint_request(b"Image-name-unique,Left-Hippocampus\na,1\n", {"atlas": "aseg", "views": ["top"]})
    (problem,) = aseg_only.problems
    assert problem.field == "views"
    assert (
        problem.message
        == "View 'Superior' shows the cortex, but atlas 'aseg' has no cortical regions; choose another view."
    )


def test_only_limit_problems_make_a_limit_error():
    limits = PaintLimits(max_rows=1, max_images=10)
    request = check_paint_request(GOOD, {"views": ["top"]}, limits)
    (problem,) = request.problems
    assert problem.limit and problem.field == "table"
    assert isinstance(request.error(), LimitExceededError)
    mixed = check_paint_request(GOOD, {"views": ["top"], "vmin": 2, "vmax": 1}, limits)
    assert not isinstance(mixed.error(), LimitExceededError) and isinstance(mixed.error(), InputError)
    assert check_paint_request(GOOD * 1, {"views": ["top"]}, PaintLimits.local()).ok


def test_missing_table_and_unknown_atlas():
    request = check_paint_request(None, {"atlas": "nope"})
    fields = sorted(p.field for p in request.problems)
    assert fields == ["atlas", "table"]
    assert request.table is None and request.atlas is None


def test_saved_request_loads_without_parsing_the_csv(tmp_path, monkeypatch):
    request = check_paint_request(GOOD, {"views": ["top"], "label": "mm"})
    folder = tmp_path / "input"
    assert not saved_request_exists(folder)
    request.save(folder)
    assert saved_request_exists(folder) and (folder / "values.csv").read_bytes() == GOOD

    def no_parsing(*args, **kwargs):
        raise AssertionError("the CSV was parsed again")

    monkeypatch.setattr("cortico.paint._table.read_values_table", no_parsing)
    monkeypatch.setattr("cortico.paint._request.read_values_table", no_parsing)
    loaded = PaintRequest.load(folder)
    assert loaded.ok and loaded.settings == request.settings and loaded.atlas is request.atlas
    np.testing.assert_array_equal(loaded.table.matrix(), request.table.matrix())
    assert [(r.name, r.row) for r in loaded.table.rows] == [("control", 2), ("patient", 3)]
    assert loaded.table.columns == request.table.columns and loaded.warnings == request.warnings


def test_the_mesh_setting_picks_the_atlas_surfaces_and_survives_saving(tmp_path):
    request = check_paint_request(GOOD, {"mesh": "fsaverage5", "views": ["top"]})
    assert request.ok and request.atlas.space == "fsaverage5"
    assert request.atlas.surface("pial", "lh").n_vertices == 10_242
    request.save(tmp_path)
    loaded = PaintRequest.load(tmp_path)
    assert loaded.settings.mesh == "fsaverage5" and loaded.atlas.surface("pial", "rh").n_vertices == 10_242


def test_unknown_mesh_and_a_lighter_mouse_map_are_problems():
    unknown = check_paint_request(GOOD, {"mesh": "fsaverage4", "views": ["top"]})
    assert [(p.field, p.message) for p in unknown.problems if p.field == "mesh"] == [
        ("mesh", "mesh must be one of ('fsaverage', 'fsaverage6', 'fsaverage5'), got 'fsaverage4'.")
    ]
    mouse = check_paint_request(GOOD, {"atlas": "mouse-dorsal", "mesh": "fsaverage6", "views": ["top"]})
    assert any(p.field == "atlas" and "flat 2-D map" in p.message for p in mouse.problems)


def test_a_request_with_problems_is_not_saved(tmp_path):
    with pytest.raises(InputError):
        check_paint_request(b"Image-name-unique,Left-Putamen\na,x\n", {}).save(tmp_path / "input")
    assert not (tmp_path / "input").exists()


def test_values_to_csv_writes_every_column_and_lists_every_bad_cell():
    text = values_to_csv({"a": {"Left-Putamen": 1.5, "Right-Putamen": None}, "b": {"Left-Putamen": 2}}).decode()
    assert text.splitlines() == ["Image-name-unique,Left-Putamen,Right-Putamen", "a,1.5,", "b,2,"]
    with pytest.raises(InputError) as caught:
        values_to_csv({"a": {"x": "1", "y": True}})
    assert caught.value.problems == [
        "image 'a', column 'x': expected a number or null, got text",
        "image 'a', column 'y': expected a number or null, got true/false",
    ]


def test_a_request_without_views_gets_the_views_that_show_its_atlas():
    table = b"Image-name-unique,Left-Hippocampus\na,1\n"
    aseg = check_paint_request(table, {"atlas": "aseg"})
    assert aseg.ok, aseg.problems
    assert aseg.settings.views and all(view.content != "cortex" for view in aseg.settings.view_objects)
    chosen = check_paint_request(GOOD, {"views": ["top"]})
    assert chosen.settings.views == ("top",)
