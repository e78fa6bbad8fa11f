"""Isosurface curvature by the Thirion-Gourdon formula."""

import numpy as np
import pytest

from cortico.depth._curvature import isosurface_curvature


def _centred(n, h):
    c = (np.arange(n) - (n - 1) / 2) * h
    return np.meshgrid(c, c, c, indexing="ij")


def test_sphere_distance_field_has_curvature_two_over_r():
    x, y, z = _centred(61, 0.2)
    r = np.sqrt(x**2 + y**2 + z**2)
    curvature = isosurface_curvature(r, (0.2, 0.2, 0.2), sigma_mm=0)
    shell = (r > 3) & (r < 5)
    np.testing.assert_allclose(curvature[shell], 2 / r[shell], rtol=0.01)


def test_cylinder_curvature_is_one_over_r_and_anisotropic_voxels_work():
    sizes = (0.15, 0.25, 0.4)
    coords = [(np.arange(n) - (n - 1) / 2) * h for n, h in zip((81, 49, 9), sizes)]
    x, y, _ = np.meshgrid(*coords, indexing="ij")
    r = np.sqrt(x**2 + y**2)
    curvature = isosurface_curvature(-r, sizes, sigma_mm=0)  # increasing inward
    ring = (r > 3) & (r < 5)
    np.testing.assert_allclose(curvature[ring], -1 / r[ring], rtol=0.02)


def test_smoothing_replicates_edges_so_a_cut_plane_stays_flat():
    x, _, _ = np.meshgrid(np.arange(12.0), np.arange(10.0), np.arange(8.0), indexing="ij")
    u = np.clip((x - 2) / 7, 0, 1)  # a slab potential cut by the y and z faces
    curvature = isosurface_curvature(u, (0.3, 0.3, 0.3), sigma_mm=1.0)
    assert np.nanmax(np.abs(curvature[3:9])) < 1e-4


def test_smoothing_uses_per_axis_sigma():
    sizes = (0.2, 0.4, 0.4)
    x, y, z = [(np.arange(n) - (n - 1) // 2) * h for n, h in zip((101, 51, 51), sizes)]
    u = np.sqrt(x[:, None, None] ** 2 + y[None, :, None] ** 2 + z[None, None, :] ** 2)
    curvature = isosurface_curvature(u, sizes, sigma_mm=1.0)
    unsmoothed = isosurface_curvature(u, sizes, sigma_mm=0)
    # at 4 mm along x and along y the smoothing changed the curvature alike
    along_x = curvature[50 + 20, 25, 25] / unsmoothed[50 + 20, 25, 25]
    along_y = curvature[50, 25 + 10, 25] / unsmoothed[50, 25 + 10, 25]
    assert along_x == pytest.approx(along_y, rel=0.01)
    assert curvature[50 + 20, 25, 25] == pytest.approx(2 / 4.0, rel=0.05)


def test_flat_field_gives_nan_not_an_error():
    curvature = isosurface_curvature(np.ones((4, 4, 4)), (1, 1, 1), sigma_mm=0)
    assert np.all(np.isnan(curvature))
