"""The GL renderer on synthetic meshes."""

import numpy as np
import pytest

from cortico.paint._renderer import DrawItem, _signed_volume, get_renderer
from cortico.paint._views import View, frame_camera

pytestmark = pytest.mark.gl


def _sphere():
    from skimage.measure import marching_cubes

    grid = np.linspace(-1.2, 1.2, 24)
    x, y, z = np.meshgrid(grid, grid, grid, indexing="ij")
    vertices, faces, normals, _ = marching_cubes(x**2 + y**2 + z**2, level=1.0, spacing=(grid[1] - grid[0],) * 3)
    vertices -= 1.2
    return (
        vertices.astype(np.float32),
        faces.astype(np.int32),
        -normals.astype(np.float32),
    )


def _draw(faces_order, key):
    vertices, faces, normals = _sphere()
    if faces_order == "cw":
        faces = faces[:, ::-1]
    regions = np.where(vertices[:, 0] > 0, 0, 1).astype(np.int32)
    item = DrawItem(key=key, vertices=vertices, faces=faces, normals=normals, regions=regions)
    camera = frame_camera(View("test", azimuth=0), vertices, 1.0)
    colors = np.array([[0.5, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    return get_renderer().render([item], camera, (96, 96), colors, background=None)


def test_winding_is_normalised_so_culling_never_hides_the_visible_side():
    vertices, faces, _ = _sphere()
    assert _signed_volume(vertices, faces) * _signed_volume(vertices, faces[:, ::-1]) < 0
    ccw, cw = _draw("ccw", ("sphere", "ccw")), _draw("cw", ("sphere", "cw"))
    assert (ccw[..., 3] == 255).mean() > 0.4
    np.testing.assert_array_equal(ccw[..., 3] > 0, cw[..., 3] > 0)


def test_regions_are_coloured_from_the_lookup_table():
    image = _draw("ccw", ("sphere", "ccw"))
    # camera at +x looking at the x > 0 half: region 0 -> lookup row 1 (red)
    centre = image[48, 48]
    assert centre[0] > 150 and centre[1] < 60 and centre[2] < 60
