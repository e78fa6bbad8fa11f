"""Region borders drawn inside triangles (cortico.paint._borders and its shader)."""

import numpy as np
import pytest

from cortico.paint import render_view
from cortico.paint._borders import ABSENT, MAX_CLASSES, border_attributes

from .conftest import icosphere, sphere_atlas

CAP_HEIGHT = 0.5  # the border is the circle z = 0.5 on the unit sphere


def _cap(unit):
    return np.where(unit[:, 2] > CAP_HEIGHT, 0, 1)


def test_every_vertex_keeps_its_region_and_classes_are_unique_near_it():
    vertices, faces = icosphere(4)
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(12, 3))
    labels = np.argmax(vertices @ centres.T, axis=1) - 1  # 12 patches, one of them the medial wall (-1)
    weights, slots = border_attributes(labels, faces)
    assert weights.shape == slots.shape == (len(vertices), MAX_CLASSES)
    own = np.argmax(weights, axis=1)
    np.testing.assert_array_equal(slots[np.arange(len(labels)), own], labels)  # the vertex's region wins at it
    for a, b, c in faces[:200]:  # a triangle's regions all sit in each corner's slots
        for corner in (a, b, c):
            assert {labels[a], labels[b], labels[c]} <= set(slots[corner][slots[corner] != ABSENT].tolist())


def test_a_single_region_has_flat_weights():
    vertices, faces = icosphere(2)
    weights, slots = border_attributes(np.full(len(vertices), 3), faces)
    assert (weights[:, 0] == 255).all() and (slots[:, 0] == 3).all() and (slots[:, 1:] == ABSENT).all()


@pytest.mark.gl
@pytest.mark.parametrize("antialias", ["fxaa", "msaa", "none"])
def test_border_of_a_spherical_cap_is_within_one_pixel_of_the_true_circle(antialias):
    # icosphere level 6: triangle edges ~2.2 px here, as fsaverage's at 1200x900;
    # a border along triangle edges is off by up to 1.5 px, this one by < 1 px
    atlas = sphere_atlas(_cap, level=6)
    size = 240
    image = render_view(
        atlas,
        "pial",
        np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
        "camera:elevation=90,hemispheres=lh",
        size=(size, size),
        antialias=antialias,
    ).astype(float)
    background = image[..., :3].min(axis=-1) > 250
    red = (image[..., 0] > image[..., 2]) & ~background
    blue = (image[..., 2] > image[..., 0]) & ~background
    ys, xs = np.nonzero(~background)
    cx, cy = (xs.min() + xs.max() + 1) / 2, (ys.min() + ys.max() + 1) / 2
    radius = (xs.max() - xs.min() + 1) / 2
    circle = radius * np.sqrt(1 - CAP_HEIGHT**2)
    yy, xx = np.mgrid[:size, :size] + 0.5
    distance = np.hypot(xx - cx, yy - cy)
    assert red.sum() > 0.9 * np.pi * (circle - 1) ** 2
    assert (distance[red] - circle).max() <= 1.0  # no red pixel more than 1 px outside the circle
    assert (circle - distance[blue]).max() <= 1.0  # no blue pixel more than 1 px inside it
    # anti-aliased: along the border, pixels mix the two colours (about one per pixel of length)
    mixed = (image[..., 0] > 40) & (image[..., 2] > 40) & (np.abs(distance - circle) < 1.5)
    assert mixed.sum() > 0.4 * 2 * np.pi * circle
