"""The red-black SOR Laplace solver."""

import numpy as np
import pytest

from cortico.depth._labels import CORTEX, OUTSIDE, WHITE
from cortico.depth._laplace import FACE, estimate_thickness, laplace_potential


def _padded(classes):
    return np.pad(np.asarray(classes, dtype=np.uint8), 1, constant_values=FACE)


def _slab_classes(n_cortex, axis=0, width=5):
    profile = np.array([OUTSIDE] + [CORTEX] * n_cortex + [WHITE], dtype=np.uint8)
    view = [1, 1, 1]
    view[axis] = profile.size
    shape = [width] * 3
    shape[axis] = profile.size
    return _padded(np.broadcast_to(profile.reshape(view), shape))


@pytest.mark.parametrize("sizes", [(0.2, 0.2, 0.2), (0.5, 0.1, 0.3)])
def test_slab_potential_is_linear_between_voxel_centres(sizes):
    classes = _slab_classes(9)
    indices = np.flatnonzero(classes == CORTEX).astype(np.int64)
    u, info = laplace_potential(classes, indices, sizes)
    assert info["converged"]
    expected = np.arange(1, 10) / 10
    # zero flux at the cut faces: every column holds the 1D solution
    np.testing.assert_allclose(u[2:11, 1:-1, 1:-1], np.broadcast_to(expected[:, None, None], (9, 5, 5)), atol=2e-4)
    assert np.all(u[1, 1:-1, 1:-1] == 0) and np.all(u[11, 1:-1, 1:-1] == 1)


def test_anisotropic_weights_follow_the_voxel_sizes():
    # A slab along y with thin voxels along y: the solution is linear in y only.
    classes = _slab_classes(6, axis=1)
    indices = np.flatnonzero(classes == CORTEX).astype(np.int64)
    u, _ = laplace_potential(classes, indices, (1.0, 0.1, 3.0))
    np.testing.assert_allclose(u[3, 2:8, 3], np.arange(1, 7) / 7, atol=2e-4)


def test_tolerance_and_sweeps_are_reported():
    classes = _slab_classes(30)
    indices = np.flatnonzero(classes == CORTEX).astype(np.int64)
    u_loose, loose = laplace_potential(classes, indices, (1, 1, 1), tolerance=1e-2)
    u_tight, tight = laplace_potential(classes, indices, (1, 1, 1), tolerance=1e-6)
    assert loose["sweeps"] < tight["sweeps"]
    assert tight["converged"] and tight["last_update"] <= 1e-6
    # Chebyshev acceleration: about 3 x thickness in voxels, far from Gauss-Seidel's N^2
    assert tight["sweeps"] < 6 * 30
    np.testing.assert_allclose(u_tight[2:32, 3, 3], np.arange(1, 31) / 31, atol=1e-5)
    assert np.abs(u_loose[2:32, 3, 3] - np.arange(1, 31) / 31).max() > 1e-5


def test_sweep_limit_reports_non_convergence():
    classes = _slab_classes(30)
    indices = np.flatnonzero(classes == CORTEX).astype(np.int64)
    _, info = laplace_potential(classes, indices, (1, 1, 1), max_sweeps=3)
    assert info["sweeps"] == 3 and not info["converged"]


def test_strict_local_extremum_is_replaced_by_neighbour_average():
    # A cortex voxel enclosed by cortex with zero flux all around keeps its start
    # value unless smoothed; a lone cortex voxel between CSF and WM becomes 0.5.
    classes = _padded(np.array([[[OUTSIDE, CORTEX, WHITE]]]).reshape(3, 1, 1))
    indices = np.flatnonzero(classes == CORTEX).astype(np.int64)
    u, _ = laplace_potential(classes, indices, (1, 1, 1))
    assert u[2, 1, 1] == pytest.approx(0.5)
    # a cortex voxel surrounded by CSF on all six sides is a strict maximum -> 0
    classes = np.full((5, 5, 5), OUTSIDE, dtype=np.uint8)
    classes[2, 2, 2] = CORTEX
    classes[0, 0, 0] = WHITE
    classes = _padded(classes)
    indices = np.flatnonzero(classes == CORTEX).astype(np.int64)
    u, _ = laplace_potential(classes, indices, (1, 1, 1))
    assert u[3, 3, 3] == 0.0


def test_thickness_estimate_of_a_slab():
    classes = _slab_classes(8, width=40)
    assert estimate_thickness(classes, (0.5, 0.5, 0.5)) == pytest.approx(4.0)


def test_progress_is_reported_during_long_solves():
    classes = _slab_classes(60)
    indices = np.flatnonzero(classes == CORTEX).astype(np.int64)
    fractions = []
    _, info = laplace_potential(classes, indices, (1, 1, 1), tolerance=1e-6, progress=fractions.append)
    assert len(fractions) == info["sweeps"] // 16
    assert fractions == sorted(fractions)
    assert all(0.0 <= f <= 1.0 for f in fractions) and fractions[-1] > 0.5
