import json

import numpy as np
import pytest

from cortico.exceptions import InputError
from cortico.paint import PaintSettings


def test_json_round_trip_is_exact(tmp_path):
    settings = PaintSettings(
        atlas="destrieux",
        surface="inflated",
        views=("top", "camera:azimuth=30,elevation=10"),
        cmap="RdBu_r",
        center=0.0,
        vmin=-2,
        vmax=3,
        label="z-score (a.u.)",
        width=800,
        height=600,
        background="transparent",
        panel=True,
        movie=True,
        movie_steps=3,
    )
    path = tmp_path / "settings.json"
    settings.to_json(path)
    again = PaintSettings.from_json(path)
    assert again == settings
    assert PaintSettings.from_json(settings.to_json()) == settings
    assert json.loads(path.read_text())["views"] == [
        "top",
        "camera:azimuth=30,elevation=10",
    ]


def test_all_invalid_fields_are_reported_together():
    with pytest.raises(InputError) as caught:
        PaintSettings(
            surface="sphere",
            mesh="fsaverage4",
            views=("nope",),
            width=10000,
            vmin=3,
            vmax=1,
            background="blurple",
            cmap="not-a-map",
        )
    problems = "\n".join(caught.value.problems)
    for expected in [
        "surface must be one of",
        "mesh must be one of ('fsaverage', 'fsaverage6', 'fsaverage5'), got 'fsaverage4'",
        "Unknown view 'nope'",
        "width must be a whole number",
        "vmax (1) must be greater than vmin (3)",
        "background 'blurple' is not a colour",
        "Unknown colormap 'not-a-map'",
    ]:
        assert expected in problems
    assert len(caught.value.problems) == 7


def test_unknown_keys_and_bad_json_are_rejected():
    with pytest.raises(InputError, match="Unknown settings key.*colour"):
        PaintSettings.from_dict({"colour": "red"})
    with pytest.raises(InputError, match="not valid JSON"):
        PaintSettings.from_json("{not json")


def test_automatic_limits_from_data_and_robust_percentiles():
    values = np.concatenate([np.linspace(0, 10, 101), [np.nan, 1000.0]])
    scale = PaintSettings().color_scale(values)
    assert (scale.vmin, scale.vmax) == (0.0, 1000.0)
    robust = PaintSettings(robust=True).color_scale(values)
    assert robust.vmin == pytest.approx(np.percentile(values[~np.isnan(values)], 2))
    assert robust.vmax < 20
    fixed = PaintSettings(vmin=-1).color_scale(values)
    assert (fixed.vmin, fixed.vmax) == (-1.0, 1000.0)


def test_center_makes_automatic_limits_symmetric():
    scale = PaintSettings(cmap="RdBu_r", center=1.0).color_scale([0.0, 4.0])
    assert (scale.vmin, scale.vmax, scale.center) == (-2.0, 4.0, 1.0)


def test_brainpainter_mode_uses_stop_count_range():
    scale = PaintSettings(mode="brainpainter", colors=("#fff", "#ff0", "#f90", "#f00", "#f00")).color_scale([7.0])
    assert (scale.vmin, scale.vmax, scale.mode) == (0.0, 4.0, "brainpainter")


def test_constant_data_gets_a_usable_range():
    scale = PaintSettings().color_scale([2.0, 2.0])
    assert scale.vmin < 2.0 < scale.vmax


def test_resolved_fixes_automatic_range_for_split_runs():
    settings = PaintSettings(center=None).resolved(np.array([[1.0, 5.0], [np.nan, 3.0]]))
    assert (settings.vmin, settings.vmax) == (1.0, 5.0)
    assert settings.resolved([100.0]).vmax == 5.0  # already fixed: other rows do not change it
    bp = PaintSettings(mode="brainpainter")
    assert bp.resolved([1.0]) is bp


def test_orientation_and_layout_are_validated_and_shape_the_views():
    from cortico.paint import PaintSettings

    with pytest.raises(InputError, match="orientation must be one of") as caught:
        PaintSettings(orientation="sideways", layout="poster")
    assert "layout must be one of" in str(caught.value)
    top = PaintSettings(views=("top", "cortical-outer-left-hemisphere"), orientation="anterior-up").view_objects
    assert top[0].orientation == "anterior-up" and top[1].orientation == "auto"  # lateral views: no orientation
    assert PaintSettings(views=("top",), mode="brainpainter").view_objects[0].orientation == "anterior-right"
    views = PaintSettings(views=("top",), panel=True, layout="cortex4").view_objects
    assert [v.name for v in views] == [
        "top",
        "cortical-outer-left-hemisphere",
        "cortical-outer-right-hemisphere",
        "cortical-inner-left-hemisphere",
        "cortical-inner-right-hemisphere",
    ]
    again = PaintSettings.from_json(PaintSettings(layout="brainpainter", orientation="anterior-left").to_json())
    assert (again.layout, again.orientation) == ("brainpainter", "anterior-left")
