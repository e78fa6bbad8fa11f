"""The advection kernels on analytic fields."""

import math

import numpy as np
import pytest

from cortico.depth._advection import (
    NO_BOUNDARY,
    PATH_LIMIT,
    TOUCHED_FACE,
    TOWARD_PIAL,
    TOWARD_WHITE,
    advect_tube,
    advect_voxels,
    staggered_gradient,
    trilinear,
)

H = np.array([0.2, 0.25, 0.3])


def _coords(shape, sizes=H):
    return np.meshgrid(*[np.arange(n) * h for n, h in zip(shape, sizes)], indexing="ij")


def test_trilinear_is_exact_on_a_linear_field():
    x, y, z = _coords((6, 7, 8))
    grid = 1.0 + 2.0 * x - 3.0 * y + 0.5 * z
    for point in [(0.3, 1.7, 2.2), (4.99, 5.5, 6.01), (2.0, 3.0, 4.0)]:
        mm = np.array(point) * H
        assert trilinear(grid, *point) == pytest.approx(1 + 2 * mm[0] - 3 * mm[1] + 0.5 * mm[2])


def test_trilinear_replicates_edges():
    grid = np.arange(27, dtype=np.float64).reshape(3, 3, 3)
    assert trilinear(grid, -5.0, 0.0, 0.0) == grid[0, 0, 0]
    assert trilinear(grid, 9.0, 2.0, 2.0) == grid[2, 2, 2]


def test_staggered_gradient_is_exact_on_a_linear_field():
    x, y, z = _coords((6, 7, 8))
    u = 0.4 * x - 1.5 * y + 2.5 * z
    gx, gy, gz = staggered_gradient(u, 2.3, 3.1, 4.6, 1.0 / H)
    assert (gx, gy, gz) == pytest.approx((0.4, -1.5, 2.5))


def test_staggered_gradient_of_a_quadratic_is_second_order():
    x, _, _ = _coords((40, 3, 3), (0.1, 0.1, 0.1))
    u = x**2
    gx, gy, gz = staggered_gradient(u, 17.25, 1.0, 1.0, np.array([10.0, 10.0, 10.0]))
    assert gx == pytest.approx(2 * 1.725, abs=1e-2)
    assert gy == 0 and gz == 0


def _slab_fields(n=40, h=0.1):
    """u = x / L between pial (x=0.5 h) and white (x=(n-1.5) h); mask 1 in between."""
    shape = (n, 4, 4)
    x = np.arange(n)[:, None, None] * h * np.ones(shape)
    u = x / (n * h)
    mask = np.zeros(shape)
    mask[1:-1] = 1.0
    return u, np.zeros(shape), mask, np.array([h, h, h])


@pytest.mark.parametrize("start", [1.0, 7.0, 20.0, 38.0])
def test_flat_tube_sweeps_the_distance_to_each_boundary(start):
    u, curvature, mask, sizes = _slab_fields()
    vw, lw, _ = advect_tube(u, curvature, mask, start, 1.5, 1.5, TOWARD_WHITE, sizes, 0.03, 6.0)
    vp, lp, _ = advect_tube(u, curvature, mask, start, 1.5, 1.5, TOWARD_PIAL, sizes, 0.03, 6.0)
    # the mask crosses 0.5 half-way between the first/last cortex centre and its neighbour
    assert lp == pytest.approx((start - 0.5) * 0.1, abs=1e-9)
    assert lw == pytest.approx((38.5 - start) * 0.1, abs=1e-9)
    assert vp == pytest.approx(lp, abs=1e-9) and vw == pytest.approx(lw, abs=1e-9)


def _spherical_fields(n=61, h=0.2, outer=5.5, inner=2.5):
    """u = (outer - r) / (outer - inner), div(grad u / |grad u|) = -2 / r exactly."""
    c = (np.arange(n) - (n - 1) / 2) * h
    r = np.sqrt(c[:, None, None] ** 2 + c[None, :, None] ** 2 + c[None, None, :] ** 2)
    u = (outer - r) / (outer - inner)
    curvature = -2.0 / np.maximum(r, 1e-9)
    # a smooth mask whose 0.5 level lies exactly on both radii (up to interpolation)
    mask = np.clip(0.5 + np.minimum(r - inner, outer - r) / h, 0, 1)
    return u, curvature, mask, np.array([h, h, h]), (n - 1) / 2


def test_spherical_tube_volumes_match_the_shell_integral():
    u, curvature, mask, sizes, centre = _spherical_fields()
    outer, inner, r0 = 5.5, 2.5, 4.0
    x = centre + r0 / 0.2  # start on the x axis at radius r0
    vw, lw, _ = advect_tube(u, curvature, mask, x, centre, centre, TOWARD_WHITE, sizes, 0.03, 6.0)
    vp, lp, _ = advect_tube(u, curvature, mask, x, centre, centre, TOWARD_PIAL, sizes, 0.03, 6.0)
    # area scales as (r / r0)^2 along a radius, so V = (r_end^3 - r0^3) / (3 r0^2)
    assert lw == pytest.approx(r0 - inner, abs=0.01)
    assert lp == pytest.approx(outer - r0, abs=0.01)
    assert vw == pytest.approx((r0**3 - inner**3) / (3 * r0**2), rel=0.005)
    assert vp == pytest.approx((outer**3 - r0**3) / (3 * r0**2), rel=0.005)
    depth = vp / (vp + vw)
    assert depth == pytest.approx((outer**3 - r0**3) / (outer**3 - inner**3), abs=0.002)


def test_zero_gradient_gives_nan():
    shape = (5, 5, 5)
    result = advect_tube(
        np.zeros(shape), np.zeros(shape), np.ones(shape), 2.0, 2.0, 2.0, TOWARD_WHITE, np.ones(3), 0.03, 6.0
    )
    assert math.isnan(result[0]) and math.isnan(result[1])
    assert result[2] == NO_BOUNDARY


def test_too_long_path_gives_nan():
    u, curvature, mask, sizes = _slab_fields(n=100)  # 5 mm from x=50 to the white side
    walk = (u, curvature, mask, 50.0, 1.5, 1.5, TOWARD_WHITE, sizes, 0.03)
    volume, _, flags = advect_tube(*walk, 4.0)
    assert math.isnan(volume) and flags == PATH_LIMIT
    assert advect_tube(*walk, 6.0)[1] == pytest.approx(4.85, abs=1e-9)
    assert advect_tube(*walk, 6.0)[2] == TOUCHED_FACE  # the slab's white side is the grid's last layer


def test_walks_near_the_border_are_flagged_as_touching_a_cut_face():
    u, curvature, mask, sizes = _slab_fields()
    u, curvature, mask = (np.pad(a, ((0, 0), (2, 2), (2, 2)), mode="edge") for a in (u, curvature, mask))
    mask[:3] = mask[-3:] = 0.0  # cortex ends two voxels inside the x faces
    assert advect_tube(u, curvature, mask, 20.0, 3.5, 3.5, TOWARD_WHITE, sizes, 0.03, 6.0)[2] == 0
    assert advect_tube(u, curvature, mask, 20.0, 3.5, 3.5, TOWARD_PIAL, sizes, 0.03, 6.0)[2] == 0
    assert advect_tube(u, curvature, mask, 20.0, 1.4, 3.5, TOWARD_WHITE, sizes, 0.03, 6.0)[2] == TOUCHED_FACE
    mask[1:3] = 1.0  # now the pial end lies within a voxel of the x = 0 face
    assert advect_tube(u, curvature, mask, 20.0, 3.5, 3.5, TOWARD_PIAL, sizes, 0.03, 6.0)[2] == TOUCHED_FACE


def test_non_finite_curvature_gives_nan():
    u, curvature, mask, sizes = _slab_fields()
    curvature[:] = np.nan
    assert math.isnan(advect_tube(u, curvature, mask, 10.0, 1.5, 1.5, TOWARD_PIAL, sizes, 0.03, 6.0)[0])


def test_collapsing_area_gives_nan():
    u, curvature, mask, sizes = _slab_fields()
    curvature[:] = -50.0  # converging so fast that the tube area reaches zero
    assert math.isnan(advect_tube(u, curvature, mask, 20.0, 1.5, 1.5, TOWARD_WHITE, sizes, 0.03, 6.0)[0])
    # the other way the tube widens and the walk succeeds
    assert not math.isnan(advect_tube(u, curvature, mask, 20.0, 1.5, 1.5, TOWARD_PIAL, sizes, 0.03, 6.0)[0])


def test_advect_voxels_fills_both_directions_per_voxel():
    u, curvature, mask, sizes = _slab_fields()
    indices = np.ravel_multi_index(([5, 30], [1, 2], [2, 1]), u.shape).astype(np.int64)
    out = np.empty((2, 4))
    flags = np.full(2, 99, dtype=np.uint8)
    advect_voxels(u, curvature, mask, indices, sizes, 0.03, 6.0, out, flags)
    np.testing.assert_array_equal(flags, [TOUCHED_FACE, TOUCHED_FACE])  # a 4-voxel-wide grid: all border
    np.testing.assert_allclose(out[:, 2], [0.45, 2.95], atol=1e-9)
    np.testing.assert_allclose(out[:, 3], [3.35, 0.85], atol=1e-9)
    np.testing.assert_allclose(out[:, :2], out[:, 2:], atol=1e-9)
