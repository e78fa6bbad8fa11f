"""Tube advection along the Laplace flow lines (numba kernels).

From a voxel centre, a point walks with arc-length step ``h`` along the normalised
gradient of the Laplace potential (staggered forward differences, trilinearly
interpolated). The cross-section area of the flow tube is multiplied by
``1 + s h div(n)`` per step (``s = +1`` toward white, ``-1`` toward pial), the swept
volume accumulates by the trapezoid rule and the walk stops where the trilinearly
interpolated cortex mask falls below 0.5 (the last step is cut at that crossing).
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Sign of a walk toward the white matter (up the potential) and toward the pial side.
TOWARD_WHITE, TOWARD_PIAL = 1, -1

#: Bits of a walk's outcome (also the bits of the quality map): the walk came within a
#: voxel of a cut face of the image, gave up at the path limit, or failed otherwise
#: (zero gradient, non-finite curvature, non-positive area: no boundary reached).
TOUCHED_FACE, PATH_LIMIT, NO_BOUNDARY = 1, 2, 4


@numba.njit(cache=True, inline="always")
def _cell(x, n):
    """Lower corner index and fraction for linear interpolation on [0, n - 1]."""
    if n == 1:
        return 0, 0.0
    if x <= 0.0:
        return 0, 0.0
    if x >= n - 1:
        return n - 2, 1.0
    i = int(math.floor(x))
    return i, x - i


@numba.njit(cache=True)
def trilinear(grid, x, y, z):
    """Trilinear interpolation of ``grid`` at voxel coordinates, edges replicated."""
    nx, ny, nz = grid.shape
    i, fx = _cell(x, nx)
    j, fy = _cell(y, ny)
    k, fz = _cell(z, nz)
    i1 = min(i + 1, nx - 1)
    j1 = min(j + 1, ny - 1)
    k1 = min(k + 1, nz - 1)
    c00 = grid[i, j, k] * (1 - fx) + grid[i1, j, k] * fx
    c10 = grid[i, j1, k] * (1 - fx) + grid[i1, j1, k] * fx
    c01 = grid[i, j, k1] * (1 - fx) + grid[i1, j, k1] * fx
    c11 = grid[i, j1, k1] * (1 - fx) + grid[i1, j1, k1] * fx
    c0 = c00 * (1 - fy) + c10 * fy
    c1 = c01 * (1 - fy) + c11 * fy
    return c0 * (1 - fz) + c1 * fz


@numba.njit(cache=True)
def staggered_gradient(u, x, y, z, inv_h):
    """Gradient of ``u`` at voxel coordinates from staggered forward differences.

    The x-difference ``(u[i+1] - u[i]) / hx`` lives at ``i + 1/2``; each component is
    trilinearly interpolated on its own staggered grid, edges replicated.
    """
    nx, ny, nz = u.shape
    gx = 0.0
    gy = 0.0
    gz = 0.0
    # x component: differences along x at (i + 1/2, j, k)
    if nx > 1:
        i, fx = _cell(x - 0.5, nx - 1)
        j, fy = _cell(y, ny)
        k, fz = _cell(z, nz)
        i1 = min(i + 1, nx - 2)
        j1 = min(j + 1, ny - 1)
        k1 = min(k + 1, nz - 1)
        for a in range(2):
            ia = i if a == 0 else i1
            wa = (1 - fx) if a == 0 else fx
            for b in range(2):
                jb = j if b == 0 else j1
                wb = (1 - fy) if b == 0 else fy
                for c in range(2):
                    kc = k if c == 0 else k1
                    wc = (1 - fz) if c == 0 else fz
                    gx += wa * wb * wc * (u[ia + 1, jb, kc] - u[ia, jb, kc])
        gx *= inv_h[0]
    if ny > 1:
        i, fx = _cell(x, nx)
        j, fy = _cell(y - 0.5, ny - 1)
        k, fz = _cell(z, nz)
        i1 = min(i + 1, nx - 1)
        j1 = min(j + 1, ny - 2)
        k1 = min(k + 1, nz - 1)
        for a in range(2):
            ia = i if a == 0 else i1
            wa = (1 - fx) if a == 0 else fx
            for b in range(2):
                jb = j if b == 0 else j1
                wb = (1 - fy) if b == 0 else fy
                for c in range(2):
                    kc = k if c == 0 else k1
                    wc = (1 - fz) if c == 0 else fz
                    gy += wa * wb * wc * (u[ia, jb + 1, kc] - u[ia, jb, kc])
        gy *= inv_h[1]
    if nz > 1:
        i, fx = _cell(x, nx)
        j, fy = _cell(y, ny)
        k, fz = _cell(z - 0.5, nz - 1)
        i1 = min(i + 1, nx - 1)
        j1 = min(j + 1, ny - 1)
        k1 = min(k + 1, nz - 2)
        for a in range(2):
            ia = i if a == 0 else i1
            wa = (1 - fx) if a == 0 else fx
            for b in range(2):
                jb = j if b == 0 else j1
                wb = (1 - fy) if b == 0 else fy
                for c in range(2):
                    kc = k if c == 0 else k1
                    wc = (1 - fz) if c == 0 else fz
                    gz += wa * wb * wc * (u[ia, jb, kc + 1] - u[ia, jb, kc])
        gz *= inv_h[2]
    return gx, gy, gz


@numba.njit(cache=True, inline="always")
def _near_face(x, y, z, shape):
    """Whether a point is within one voxel of the padded grid's border (a cut face).

    Axes one voxel thick (padded to 3: a 2-D section) have no faces across them.
    """
    return (
        (shape[0] > 3 and (x < 1.5 or x > shape[0] - 2.5))
        or (shape[1] > 3 and (y < 1.5 or y > shape[1] - 2.5))
        or (shape[2] > 3 and (z < 1.5 or z > shape[2] - 2.5))
    )


@numba.njit(cache=True)
def advect_tube(u, curvature, mask, x, y, z, sign, voxel_sizes, step, max_length):
    """Walk one flow tube from voxel coordinates (x, y, z).

    Parameters
    ----------
    u, curvature, mask : ndarray, 3D
        Potential, ``div(grad u / |grad u|)`` (1/mm) and cortex mask (0/1) on the
        padded grid (its one-voxel border stands for the image faces).
    x, y, z : float
        Start point in voxel coordinates.
    sign : int
        ``+1`` walks up the potential (toward white), ``-1`` down (toward pial).
    voxel_sizes : ndarray of 3 float
        Voxel sizes in mm.
    step, max_length : float
        Arc-length step and give-up length in mm.

    Returns
    -------
    volume, length : float
        Swept volume (area 1 at the start, mm^3 per mm^2) and path length (mm);
        both NaN when the walk failed (too long, non-finite curvature, non-positive
        area or zero gradient).
    flags : int
        :data:`TOUCHED_FACE`, :data:`PATH_LIMIT` and :data:`NO_BOUNDARY` bits.
    """
    inv_h = 1.0 / voxel_sizes
    shape = u.shape
    area = 1.0
    volume = 0.0
    length = 0.0
    flags = TOUCHED_FACE if _near_face(x, y, z, shape) else 0
    previous_mask = trilinear(mask, x, y, z)
    while True:
        gx, gy, gz = staggered_gradient(u, x, y, z, inv_h)
        norm = math.sqrt(gx * gx + gy * gy + gz * gz)
        if not (norm > 0.0) or not math.isfinite(norm):
            return np.nan, np.nan, flags | NO_BOUNDARY
        div = trilinear(curvature, x, y, z)
        if not math.isfinite(div):
            return np.nan, np.nan, flags | NO_BOUNDARY
        new_area = area * (1.0 + sign * step * div)
        if new_area <= 0.0:
            return np.nan, np.nan, flags | NO_BOUNDARY
        scale = sign * step / norm
        nx_ = x + scale * gx * inv_h[0]
        ny_ = y + scale * gy * inv_h[1]
        nz_ = z + scale * gz * inv_h[2]
        new_mask = trilinear(mask, nx_, ny_, nz_)
        if new_mask < 0.5:
            fraction = (previous_mask - 0.5) / (previous_mask - new_mask)
            end_area = area + fraction * (new_area - area)
            volume += 0.5 * fraction * step * (area + end_area)
            length += fraction * step
            return volume, length, flags
        volume += 0.5 * step * (area + new_area)
        length += step
        if length >= max_length:
            return np.nan, np.nan, flags | PATH_LIMIT
        area = new_area
        previous_mask = new_mask
        x, y, z = nx_, ny_, nz_
        if _near_face(x, y, z, shape):
            flags |= TOUCHED_FACE


@numba.njit(parallel=True, cache=True)
def advect_voxels(u, curvature, mask, indices, voxel_sizes, step, max_length, out, flags):
    """Advect both ways from the centres of the voxels ``indices`` (flat, C order).

    ``out`` has shape (n, 4): volume toward pial, volume toward white, length toward
    pial, length toward white. ``flags`` (n,) receives the OR of both walks' bits.
    """
    ny, nz = u.shape[1], u.shape[2]
    for m in numba.prange(indices.shape[0]):
        idx = indices[m]
        x = float(idx // (ny * nz))
        y = float((idx // nz) % ny)
        z = float(idx % nz)
        vp, lp, fp = advect_tube(u, curvature, mask, x, y, z, TOWARD_PIAL, voxel_sizes, step, max_length)
        vw, lw, fw = advect_tube(u, curvature, mask, x, y, z, TOWARD_WHITE, voxel_sizes, step, max_length)
        out[m, 0] = vp
        out[m, 1] = vw
        out[m, 2] = lp
        out[m, 3] = lw
        flags[m] = fp | fw


@numba.njit(cache=True)
def _sample_walk(u, curvature, mask, image, x, y, z, sign, voxel_sizes, step, max_length, targets, out, first):
    """Walk like :func:`advect_tube` and sample ``image`` where the swept volume reaches each target.

    ``targets`` are increasing volumes; ``out[first + n]`` gets the sample at target n.
    Targets beyond the walk's end are sampled at the end point. Returns False when the walk failed.
    """
    inv_h = 1.0 / voxel_sizes
    area = 1.0
    volume = 0.0
    length = 0.0
    n = 0
    count = targets.shape[0]
    while n < count and targets[n] <= 0.0:
        out[first + n] = trilinear(image, x, y, z)
        n += 1
    previous_mask = trilinear(mask, x, y, z)
    while n < count:
        gx, gy, gz = staggered_gradient(u, x, y, z, inv_h)
        norm = math.sqrt(gx * gx + gy * gy + gz * gz)
        if not (norm > 0.0) or not math.isfinite(norm):
            return False
        div = trilinear(curvature, x, y, z)
        if not math.isfinite(div):
            return False
        new_area = area * (1.0 + sign * step * div)
        if new_area <= 0.0:
            return False
        scale = sign * step / norm
        nx_ = x + scale * gx * inv_h[0]
        ny_ = y + scale * gy * inv_h[1]
        nz_ = z + scale * gz * inv_h[2]
        new_mask = trilinear(mask, nx_, ny_, nz_)
        fraction = 1.0
        if new_mask < 0.5:
            fraction = (previous_mask - 0.5) / (previous_mask - new_mask)
        end_area = area + fraction * (new_area - area)
        added = 0.5 * fraction * step * (area + end_area)
        while n < count and targets[n] <= volume + added:
            part = (targets[n] - volume) / added if added > 0.0 else 1.0
            along = part * fraction
            out[first + n] = trilinear(image, x + along * (nx_ - x), y + along * (ny_ - y), z + along * (nz_ - z))
            n += 1
        if new_mask < 0.5:
            end = fraction
            while n < count:
                out[first + n] = trilinear(image, x + end * (nx_ - x), y + end * (ny_ - y), z + end * (nz_ - z))
                n += 1
            return True
        volume += added
        length += step
        if length >= max_length:
            return False
        area = new_area
        previous_mask = new_mask
        x, y, z = nx_, ny_, nz_
    return True


@numba.njit(parallel=True, cache=True)
def sample_profiles(u, curvature, mask, image, indices, walks, voxel_sizes, step, max_length, samples, out):
    """Sample ``image`` at ``samples`` equivolumetric depths from 0 (pial) to 1 (white) along each flow line.

    ``walks`` are the (n, 4) results of :func:`advect_voxels` (volumes first); rows whose
    walk failed and rows of failed samples get NaN. ``out`` has shape (n, samples).
    """
    ny, nz = u.shape[1], u.shape[2]
    for m in numba.prange(indices.shape[0]):
        vp = walks[m, 0]
        vw = walks[m, 1]
        if not (math.isfinite(vp) and math.isfinite(vw)) or vp + vw <= 0.0:
            for s in range(samples):
                out[m, s] = np.nan
            continue
        idx = indices[m]
        x = float(idx // (ny * nz))
        y = float((idx // nz) % ny)
        z = float(idx % nz)
        total = vp + vw
        depth = vp / total
        # samples at depth t <= depth lie toward pial, at volume (depth - t) * total from here
        toward_pial = 0
        for s in range(samples):
            if s / (samples - 1) <= depth:
                toward_pial += 1
        pial_targets = np.empty(toward_pial)
        for s in range(toward_pial):
            pial_targets[s] = (depth - (toward_pial - 1 - s) / (samples - 1)) * total
        white_targets = np.empty(samples - toward_pial)
        for s in range(samples - toward_pial):
            white_targets[s] = ((toward_pial + s) / (samples - 1) - depth) * total
        pial = np.empty(toward_pial)
        ok = _sample_walk(
            u, curvature, mask, image, x, y, z, TOWARD_PIAL, voxel_sizes, step, max_length, pial_targets, pial, 0
        )
        ok = ok and _sample_walk(
            u,
            curvature,
            mask,
            image,
            x,
            y,
            z,
            TOWARD_WHITE,
            voxel_sizes,
            step,
            max_length,
            white_targets,
            out[m],
            toward_pial,
        )
        for s in range(toward_pial):
            out[m, s] = pial[toward_pial - 1 - s] if ok else np.nan
        if not ok:
            for s in range(samples):
                out[m, s] = np.nan
