"""Fixtures for painting tests: the bundled DK atlas and pixel helpers."""

import numpy as np
import pytest

from cortico.paint._scene import build_scene
from cortico.paint._views import get_view


@pytest.fixture(scope="session")
def dk():
    from cortico.atlases import load_atlas

    return load_atlas("dk")


def white_except(atlas, colored):
    """Colour table: every region white, except ``{region key: rgb}``."""
    table = np.ones((len(atlas.regions), 3))
    for key, color in colored.items():
        table[atlas.region(key).index] = color
    return table


RED, GREEN, BLUE = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)


def mask_of(image, channel):
    """Pixels clearly dominated by one channel (0 red, 1 green, 2 blue), shading allowed."""
    rgb = image[..., :3].astype(float)
    main = rgb[..., channel]
    others = np.delete(rgb, channel, axis=-1)
    return (main > 90) & (others < 0.55 * main[..., None]).all(axis=-1) & (image[..., 3] > 0)


def centroid(mask):
    """(x, y) pixel centroid of a boolean mask."""
    ys, xs = np.nonzero(mask)
    assert xs.size, "expected some pixels of this colour"
    return xs.mean(), ys.mean()


def project(atlas, surface, view, size, points):
    """Pixel (x, y) of world points as drawn by ``render_view``."""
    view = get_view(view)
    camera = build_scene(atlas, surface, view).camera(view, size[0] / size[1])
    homogeneous = np.hstack([points, np.ones((len(points), 1))])
    clip = homogeneous @ (camera.projection_matrix @ camera.view_matrix).T.astype(float)
    ndc = clip[:, :2] / clip[:, 3:4]
    x = (ndc[:, 0] + 1) / 2 * size[0]
    y = (1 - ndc[:, 1]) / 2 * size[1]
    return np.column_stack([x, y])


def draw_top_precentral_red():
    """Render in a fresh process (spawn pool target): top view, lh.precentral red."""
    from cortico.atlases import load_atlas
    from cortico.paint import render_view

    atlas = load_atlas("dk")
    colors = white_except(atlas, {"lh.precentral": RED})
    return render_view(atlas, "pial", colors, "top", size=(480, 360))
