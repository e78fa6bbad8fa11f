"""Laplace potential between the pial (u = 0) and white (u = 1) boundaries.

Red-black successive over-relaxation with Chebyshev acceleration on the cortex
voxels of a padded class grid (see :mod:`cortico.depth._grid`): Dirichlet values sit
at the centres of the outside and white voxels, the image faces (class ``FACE``) are
zero-flux, the 7-point stencil weighs each axis by ``1 / h**2``.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numba
import numpy as np

from cortico.depth._labels import CORTEX, WHITE
from cortico.depth._threads import PARALLEL_LOCK

#: Class of the padding voxels that stand for "beyond the image face".
FACE = 3

_N_CHUNKS = 64

#: Below this many cortex voxels one thread sweeps faster: a red-black sweep is two
#: parallel regions, and their barriers stall when another process holds a core.
_PARALLEL_MIN_VOXELS = 2_000_000


@numba.njit(parallel=True, cache=True)
def _sor_half_sweep(u, classes, indices, strides, weights, omega, extend_faces):
    """Update the voxels ``indices`` (all of one colour) in place; return the max update."""
    n = indices.shape[0]
    chunk = (n + _N_CHUNKS - 1) // _N_CHUNKS
    chunk_max = np.zeros(_N_CHUNKS)
    for c in numba.prange(_N_CHUNKS):
        largest = 0.0
        for m in range(c * chunk, min(n, (c + 1) * chunk)):
            idx = indices[m]
            total = 0.0
            norm = 0.0
            for axis in range(3):
                lo = idx - strides[axis]
                hi = idx + strides[axis]
                if (extend_faces[axis, 0] and classes[lo] == FACE) or (extend_faces[axis, 1] and classes[hi] == FACE):
                    continue  # zero second difference across a cut face: the field continues
                for nb in (lo, hi):
                    if classes[nb] != FACE:
                        total += weights[axis] * u[nb]
                        norm += weights[axis]
            if norm == 0.0:
                for axis in range(3):
                    for nb in (idx - strides[axis], idx + strides[axis]):
                        if classes[nb] != FACE:
                            total += weights[axis] * u[nb]
                            norm += weights[axis]
            if norm == 0.0:
                continue
            update = omega * (total / norm - u[idx])
            u[idx] += update
            if abs(update) > largest:
                largest = abs(update)
        chunk_max[c] = largest
    return chunk_max.max()


@numba.njit(parallel=True, cache=True)
def _smooth_extrema(u, classes, indices, strides):
    """Clamp to [0, 1] and replace strict local extrema by their neighbour average."""
    n = indices.shape[0]
    for m in range(n):
        idx = indices[m]
        u[idx] = min(max(u[idx], 0.0), 1.0)
    replaced = np.empty(n, dtype=u.dtype)
    for m in numba.prange(n):
        idx = indices[m]
        value = u[idx]
        above = True
        below = True
        total = 0.0
        count = 0
        for axis in range(3):
            for sign in (-1, 1):
                nb = idx + sign * strides[axis]
                if classes[nb] == FACE:
                    continue
                total += u[nb]
                count += 1
                if u[nb] >= value:
                    above = False
                if u[nb] <= value:
                    below = False
        replaced[m] = total / count if (count > 0 and (above or below)) else value
    for m in range(n):
        u[indices[m]] = replaced[m]


def estimate_thickness(classes: np.ndarray, voxel_sizes) -> float:
    """Mean cortical thickness in mm estimated as 2 x volume / boundary area.

    Parameters
    ----------
    classes : ndarray of uint8
        Padded class grid.
    voxel_sizes : sequence of 3 float
        Voxel sizes in mm.

    Returns
    -------
    float
    """
    cortex = classes == CORTEX
    volume = float(np.count_nonzero(cortex)) * float(np.prod(voxel_sizes))
    area = 0.0
    for axis in range(3):
        face_area = float(np.prod(voxel_sizes)) / voxel_sizes[axis]
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[axis] = slice(None, -1)
        hi[axis] = slice(1, None)
        a, b = classes[tuple(lo)], classes[tuple(hi)]
        boundary = (cortex[tuple(lo)] & (b != CORTEX) & (b != FACE)) | (cortex[tuple(hi)] & (a != CORTEX) & (a != FACE))
        area += face_area * float(np.count_nonzero(boundary))
    if area == 0.0:
        return 0.0
    return 2.0 * volume / area


@contextmanager
def _thread_count(count):
    """Run numba kernels of this thread with ``count`` threads (None: unchanged)."""
    previous = numba.get_num_threads()
    if count is not None:
        numba.set_num_threads(count)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _chebyshev_sor(flat_u, flat_classes, colours, strides, weights, rho, tolerance, max_sweeps, progress, extend_faces):
    """Red-black sweeps with Chebyshev over-relaxation; return (sweeps, last update)."""
    omega = 1.0
    sweeps = 0
    last = math.inf
    first = math.inf
    reported = 0.0
    while sweeps < max_sweeps:
        largest = 0.0
        for colour in colours:
            largest = max(largest, _sor_half_sweep(flat_u, flat_classes, colour, strides, weights, omega, extend_faces))
            omega = 1.0 / (1.0 - 0.5 * rho**2) if omega == 1.0 else 1.0 / (1.0 - 0.25 * rho**2 * omega)
        sweeps += 1
        last = largest
        if largest <= tolerance:
            break
        if sweeps == 1:
            first = largest
        elif progress is not None and sweeps % 16 == 0 and first > tolerance:
            # Chebyshev updates do not fall monotonically; report the best so far.
            done = math.log(first / max(largest, tolerance)) / math.log(first / tolerance)
            reported = max(reported, min(max(done, 0.0), 1.0))
            progress(reported)
    return sweeps, last


def laplace_potential(
    classes, cortex_indices, voxel_sizes, *, tolerance=None, max_sweeps=None, progress=None, extend_faces=()
):
    """Solve the Laplace equation on the cortex voxels of a padded class grid.

    Parameters
    ----------
    classes : ndarray of uint8
        Padded class grid: OUTSIDE, CORTEX, WHITE, or FACE on the one-voxel border.
    cortex_indices : ndarray of int64
        Flat (C-order) indices of the cortex voxels.
    voxel_sizes : sequence of 3 float
        Voxel sizes in mm.
    tolerance : float, optional
        Stop when the largest update of a full sweep is below this; defaults to
        ``1e-3 * min(voxel_sizes) / 6`` (depth.md).
    max_sweeps : int, optional
        Safety limit; defaults to 40 x the thickness in voxels + 200.
    extend_faces : iterable of (axis, side)
        Image faces (side 0 low, 1 high) across which the field continues: along that
        axis the face voxels take a zero second difference instead of the zero-flux
        condition of the other faces.
    progress : callable, optional
        Called every 16 sweeps as ``progress(fraction)``, the fraction estimated from
        how far the largest update has fallen toward the tolerance.

    Returns
    -------
    u : ndarray of float32
        Potential on the padded grid (0 outside, 1 in white matter), clamped to
        [0, 1] with strict local extrema smoothed.
    info : dict
        ``sweeps``, ``last_update``, ``converged``, ``thickness_mm``.
    """
    voxel_sizes = np.asarray(voxel_sizes, dtype=np.float64)
    if tolerance is None:
        tolerance = 1e-3 * voxel_sizes.min() / (2 * 3.0)
    u = np.zeros(classes.shape, dtype=np.float32)
    u[classes == WHITE] = 1.0
    flat_u = u.reshape(-1)
    flat_classes = classes.reshape(-1)
    flat_u[cortex_indices] = 0.5

    coords = np.unravel_index(cortex_indices, classes.shape)
    parity = (coords[0] + coords[1] + coords[2]) & 1
    del coords
    colours = (cortex_indices[parity == 0], cortex_indices[parity == 1])
    del parity

    strides = np.array([classes.shape[1] * classes.shape[2], classes.shape[2], 1], dtype=np.int64)
    extended = np.zeros((3, 2), dtype=np.bool_)
    for axis, side in extend_faces:
        extended[axis, side] = True
    weights = 1.0 / voxel_sizes**2
    thickness = estimate_thickness(classes, voxel_sizes)
    length = thickness + 2.0 * voxel_sizes.max()
    rho = max(0.0, 1.0 - (math.pi / length) ** 2 / (2.0 * weights.sum()))
    if max_sweeps is None:
        max_sweeps = int(40 * length / voxel_sizes.min()) + 200

    with _thread_count(1 if cortex_indices.size < _PARALLEL_MIN_VOXELS else None), PARALLEL_LOCK:
        sweeps, last = _chebyshev_sor(
            flat_u, flat_classes, colours, strides, weights, rho, tolerance, max_sweeps, progress, extended
        )
        _smooth_extrema(flat_u, flat_classes, cortex_indices, strides)
    info = {
        "sweeps": sweeps,
        "last_update": float(last),
        "converged": bool(last <= tolerance),
        "thickness_mm": thickness,
    }
    return u, info
