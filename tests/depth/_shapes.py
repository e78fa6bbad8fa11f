"""Voxelised test geometries with closed-form depths (depth.md, "Ground truth")."""

import numpy as np

OUTSIDE, CORTEX, WHITE = 0, 100, 200


def radius_grid(shape, voxel_sizes, axes=(0, 1, 2), centre_offset=0.0):
    """Distance in mm of each voxel centre from the grid centre, over ``axes``."""
    coords = [(np.arange(n) - (n - 1) / 2 - centre_offset) * h for n, h in zip(shape, voxel_sizes)]
    grids = np.meshgrid(*coords, indexing="ij", sparse=True)
    return np.sqrt(sum(grids[a] ** 2 for a in axes))


def shell(shape, voxel_sizes, outer, inner, *, axes=(0, 1, 2), inverted=False):
    """Spherical (3 axes) or cylindrical (2 axes) shell; cortex where inner <= r < outer.

    Normal: white matter inside ``inner``, outside beyond ``outer``. Inverted: outside
    (CSF) inside ``inner``, white matter beyond ``outer``.
    """
    r = np.broadcast_to(radius_grid(shape, voxel_sizes, axes), shape)
    labels = np.full(shape, WHITE if inverted else OUTSIDE, dtype=np.int16)
    labels[r < outer] = CORTEX
    labels[r < inner] = OUTSIDE if inverted else WHITE
    return labels, r


def sphere_truth(outer, inner):
    """Equivolumetric, Laplace and equidistant depth of a spherical shell (WM inside)."""
    return {
        "equivolumetric": lambda r: (outer**3 - r**3) / (outer**3 - inner**3),
        "laplace": lambda r: inner * (outer - r) / (r * (outer - inner)),
        "equidistant": lambda r: (outer - r) / (outer - inner),
    }


def cylinder_truth(outer, inner):
    """Equivolumetric, Laplace and equidistant depth of a cylindrical shell (WM inside)."""
    return {
        "equivolumetric": lambda r: (outer**2 - r**2) / (outer**2 - inner**2),
        "laplace": lambda r: np.log(outer / r) / np.log(outer / inner),
        "equidistant": lambda r: (outer - r) / (outer - inner),
    }


def slab(n_cortex, *, axis=0, width=6, pial_first=True):
    """Flat slab: outside | n_cortex cortex voxels | white, cut by the other faces."""
    profile = [OUTSIDE] * 2 + [CORTEX] * n_cortex + [WHITE] * 2
    if not pial_first:
        profile = profile[::-1]
    shape = [width, width, width]
    shape[axis] = len(profile)
    view = [1, 1, 1]
    view[axis] = len(profile)
    labels = np.broadcast_to(np.array(profile, dtype=np.int16).reshape(view), shape).copy()
    return labels


def errors(result_map, labels, r, truth):
    """RMS and max absolute error over the cortex voxels, and the count of NaNs."""
    cortex = labels == CORTEX
    difference = result_map[cortex] - truth(r[cortex])
    return (
        float(np.sqrt(np.nanmean(difference**2))),
        float(np.nanmax(np.abs(difference))),
        int(np.count_nonzero(np.isnan(difference))),
    )
