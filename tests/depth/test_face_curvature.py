"""Curvature next to cut faces by Gaussian-weighted quadratic regression inside the image."""

import numpy as np
import pytest

from cortico.depth._curvature import isosurface_curvature
from cortico.depth._face_curvature import correct_cut_faces


def _padded_sphere_field(shape, h, centre):
    """r (mm) from ``centre`` on a grid padded by one voxel (the padding is never used)."""
    coords = [(np.arange(n + 2) - 1) * h - c for n, c in zip(shape, centre)]
    x, y, z = np.meshgrid(*coords, indexing="ij")
    return np.sqrt(x**2 + y**2 + z**2)


def test_cut_faces_get_the_curvature_of_the_field_continued_across_them():
    h = 0.2
    r = _padded_sphere_field((30, 30, 30), h, centre=(-5.0, 3.0, 3.0))  # the sphere's centre lies outside
    replicated = isosurface_curvature(r, (h,) * 3, sigma_mm=1.0)
    corrected = replicated.copy()
    faces = [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1)]
    count = correct_cut_faces(corrected, r, (h,) * 3, 1.0, faces)
    assert count > 0
    exact = 2.0 / r

    def within(curvature, region, largest, rms):
        error = curvature[region] / exact[region] - 1
        return np.max(np.abs(error)) < largest and np.sqrt(np.mean(error**2)) < rms

    def rms_error(curvature, region):
        return np.sqrt(np.mean((curvature[region] / exact[region] - 1) ** 2))

    # edge replication bends the isosurfaces at the oblique faces (errors of 40-250 %);
    # the one-sided quadratic fit leaves the cubic part of a field curved at r = 5-11 mm
    face_layer = (slice(1, 2), slice(1, -1), slice(1, -1))
    assert rms_error(replicated, face_layer) > 0.4
    assert within(corrected, face_layer, 0.14, 0.13)
    assert rms_error(replicated, (slice(1, -1),) * 3) > 0.6
    assert within(corrected, (slice(1, -1),) * 3, 0.14, 0.05)
    assert within(corrected, (slice(12, 20),) * 3, 0.011, 0.006)


def test_far_from_faces_the_regression_equals_gaussian_smoothing():
    h = 0.25
    r = _padded_sphere_field((40, 40, 40), h, centre=(5.0, 5.0, 5.0))
    smoothed = isosurface_curvature(r, (h,) * 3, sigma_mm=0.8)
    corrected = smoothed.copy()
    correct_cut_faces(corrected, r, (h,) * 3, 0.8, [(0, 0)])
    # 3 sigma from the x = 0 face both estimates agree; the slab beyond is untouched
    band = (slice(11, 14), slice(15, 26), slice(15, 26))
    np.testing.assert_allclose(corrected[band], smoothed[band], rtol=0.01)
    np.testing.assert_array_equal(corrected[14:], smoothed[14:])


def test_quadratic_field_is_fitted_exactly_at_a_corner():
    h = (0.2, 0.3, 0.25)
    coords = [(np.arange(n + 2) - 1) * s for n, s in zip((20, 16, 18), h)]
    x, y, z = np.meshgrid(*coords, indexing="ij")
    u = 0.3 * x + 0.1 * y - 0.2 * z + 0.05 * x**2 - 0.02 * y * z + 0.03 * x * y
    curvature = np.zeros(u.shape, dtype=np.float32)
    correct_cut_faces(curvature, u, h, 1.0, [(0, 0), (1, 0), (2, 0)])
    gx, gy, gz = 0.3 + 0.1 * x + 0.03 * y, 0.1 - 0.02 * z + 0.03 * x, -0.2 - 0.02 * y
    hxx, hyy, hzz, hxy, hxz, hyz = 0.1, 0.0, 0.0, 0.03, 0.0, -0.02
    g2 = gx**2 + gy**2 + gz**2
    numerator = (
        (hyy + hzz) * gx**2
        + (hxx + hzz) * gy**2
        + (hxx + hyy) * gz**2
        - 2 * (gx * gy * hxy + gx * gz * hxz + gy * gz * hyz)
    )
    exact = numerator / g2**1.5
    assert curvature[1, 1, 1] == pytest.approx(exact[1, 1, 1], rel=1e-3)
    np.testing.assert_allclose(curvature[1:5, 1:5, 1:5], exact[1:5, 1:5, 1:5], rtol=1e-3)


def test_no_faces_or_no_smoothing_changes_nothing():
    field = np.random.default_rng(0).random((8, 8, 8))
    curvature = np.ones((8, 8, 8), dtype=np.float32)
    assert correct_cut_faces(curvature, field, (1, 1, 1), 1.0, []) == 0
    assert correct_cut_faces(curvature, field, (1, 1, 1), 0.0, [(0, 0)]) == 0
    assert np.all(curvature == 1)
