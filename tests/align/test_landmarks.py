"""The landmark field: coarse fit, boundary condition chosen by cross-validation, inverse."""

import numpy as np
import pytest

from cortico.align._fields import compose, sample
from cortico.align._landmarks import landmark_field
from cortico.exceptions import InputError


@pytest.fixture(scope="module")
def grid():
    import ants

    return ants.make_image((70, 60, 50), 0.0, spacing=(1.0, 1.0, 1.0), origin=(-5.0, 3.0, 2.0))


def _points(grid, rng, count, margin):
    low = np.array(grid.origin) + margin
    high = np.array(grid.origin) + np.array(grid.shape) - 1 - margin
    return rng.uniform(low, high, (count, 3))


def _fit(grid, displacement, points, **options):
    targets = points + displacement(points)
    return landmark_field(grid, points, targets, np.eye(4), **options)


def test_a_trend_across_the_patch_is_fitted_with_a_free_boundary(grid, rng):
    def trend(p):  # a smooth shear, large at the faces: pinning it to 0 there is wrong
        return np.stack([0.05 * (p[:, 1] - 30), 0.03 * (p[:, 2] - 25), np.full(len(p), 1.5)], axis=1)

    points = _points(grid, rng, 40, 6)
    forward, inverse, info = _fit(grid, trend, points)
    assert info["boundary"] == "free"
    scores = info["cross_validated_residual_mm"]
    assert scores["free"] < scores["stationary"]
    held_out = _points(grid, rng, 20, 6)
    assert np.linalg.norm(sample(forward, grid, held_out) - trend(held_out), axis=1).mean() < 0.2
    # the inverse undoes the forward field
    assert np.abs(compose(forward, inverse, grid))[5:-5, 5:-5, 5:-5].max() < 0.1


def test_a_local_bump_covered_to_the_faces_is_fitted_with_a_stationary_boundary(grid, rng):
    centre = np.array(grid.origin) + np.array(grid.shape) / 2

    def bump(p):  # zero at the faces, as a stationary boundary assumes
        weight = np.exp(-np.sum(((p - centre) / 12.0) ** 2, axis=1))
        return 3.0 * weight[:, None] * np.array([1.0, -0.5, 0.2])

    points = _points(grid, rng, 40, 2)
    _, _, info = _fit(grid, bump, points)
    scores = info["cross_validated_residual_mm"]
    assert info["boundary"] == "stationary"
    assert scores["stationary"] < scores["free"]


def test_few_landmarks_skip_the_cross_validation_and_bad_options_are_refused(grid, rng):
    points = _points(grid, rng, 4, 6)
    forward, _, info = _fit(grid, lambda p: np.ones_like(p), points)
    assert info == {"boundary": "free", "cross_validated_residual_mm": {"free": None, "stationary": None}}
    assert np.abs(sample(forward, grid, points) - 1).max() < 0.2
    _, _, info = _fit(grid, lambda p: np.ones_like(p), points, boundary="stationary")
    assert info == {"boundary": "stationary", "cross_validated_residual_mm": {}}
    with pytest.raises(InputError, match="landmark boundary must be auto, free or stationary"):
        _fit(grid, lambda p: np.ones_like(p), points, boundary="open")
