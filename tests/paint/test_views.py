import numpy as np
import pytest

from cortico.exceptions import InputError
from cortico.paint import BRAINPAINTER_VIEWS, NAMED_VIEWS, View, get_view
from cortico.paint._views import frame_camera

BRAINPAINTER_NAMES = {
    "cortical-outer-left-hemisphere",
    "cortical-outer-right-hemisphere",
    "cortical-inner-left-hemisphere",
    "cortical-inner-right-hemisphere",
    "top",
    "bottom",
    "subcortical-outer-left-hemisphere",
    "subcortical-outer-right-hemisphere",
    "subcortical-top",
    "subcortical-bottom",
}


def test_every_brainpainter_view_and_anterior_posterior_exist():
    assert {view.name for view in BRAINPAINTER_VIEWS} == BRAINPAINTER_NAMES
    assert BRAINPAINTER_NAMES | {"anterior", "posterior"} == set(NAMED_VIEWS)


def test_free_camera_spec_round_trips():
    view = get_view("camera:azimuth=30,elevation=-20,zoom=1.5,projection=perspective,hemispheres=lh")
    assert (
        view.azimuth,
        view.elevation,
        view.zoom,
        view.projection,
        view.hemispheres,
    ) == (30.0, -20.0, 1.5, "perspective", ("lh",))
    assert get_view(view.to_spec()) == view
    assert get_view("top").to_spec() == "top"


@pytest.mark.parametrize(
    "spec, message",
    [
        ("lateral", "Unknown view 'lateral'"),
        ("camera:azimuth=abc", "azimuth must be a number"),
        ("camera:tilt=3", "'tilt=3' is not one of"),
        ("camera:elevation=120", "elevation must be between -90 and 90"),
        ("camera:projection=fisheye", "projection must be one of"),
    ],
)
def test_bad_view_specs_say_what_is_wrong(spec, message):
    with pytest.raises(InputError, match=message):
        get_view(spec)


def _ndc(camera, points):
    clip = np.hstack([points, np.ones((len(points), 1))]) @ (camera.projection_matrix @ camera.view_matrix).T
    return clip[:, :3] / clip[:, 3:4]


@pytest.mark.parametrize("projection", ["orthographic", "perspective"])
def test_framing_fits_points_tightly_inside_the_image(projection):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(500, 3)) * [60, 80, 50] + [0, -20, 10]
    view = View("test", azimuth=35, elevation=25, projection=projection)
    ndc = _ndc(frame_camera(view, points, 4 / 3), points)
    assert np.abs(ndc).max() <= 1.0
    # tight: the widest side touches the margin (4 %)
    assert max(np.abs(ndc[:, 0]).max(), np.abs(ndc[:, 1]).max()) > 0.9


def test_left_lateral_camera_puts_anterior_left_and_superior_up():
    points = np.array([[0, 100, 0], [0, -100, 0], [0, 0, 60], [0, 0, -60.0]])
    ndc = _ndc(frame_camera(NAMED_VIEWS["cortical-outer-left-hemisphere"], points, 1.0), points)
    assert ndc[0, 0] < ndc[1, 0]  # anterior left of posterior
    assert ndc[2, 1] > ndc[3, 1]  # superior above inferior


def test_zoom_magnifies():
    points = np.array([[-50, -50, -50], [50, 50, 50.0]])
    base = _ndc(frame_camera(View("a"), points, 1.0), points)
    zoomed = _ndc(frame_camera(View("a", zoom=2.0), points, 1.0), points)
    np.testing.assert_allclose(zoomed[:, :2], base[:, :2] * 2, atol=1e-5)
