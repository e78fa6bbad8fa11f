"""Displacement fields as numpy arrays on an ANTs image grid.

A field is an ``(nx, ny, nz, 3)`` float32 array of LPS displacements (mm) on the
voxel grid of a reference ANTs image, as ITK stores them: the transform maps the
physical point ``x`` to ``x + u(x)``.
"""

import numpy as np

from cortico.align._spaces import apply_affine, index_to_lps


def grid_points(reference):
    """LPS world coordinates (mm) of every voxel centre, shape (nx, ny, nz, 3)."""
    indices = np.indices(reference.shape, dtype=np.float32)
    matrix = index_to_lps(reference).astype(np.float32)
    return np.einsum("ij,j...->...i", matrix[:3, :3], indices) + matrix[:3, 3]


def sample(values, reference, points, order=1):
    """Trilinearly sample a scalar or vector array on ``reference``'s grid at LPS points.

    Points outside the grid take the nearest edge value.

    Parameters
    ----------
    values : numpy.ndarray
        ``reference.shape`` (scalar) or ``reference.shape + (c,)`` (vector) array.
    reference : ants.ANTsImage
        Gives the grid geometry.
    points : numpy.ndarray
        (..., 3) LPS points (mm).
    order : int
        Spline order of the interpolation (1 = trilinear).

    Returns
    -------
    numpy.ndarray
        ``points.shape[:-1]`` (scalar) or ``points.shape[:-1] + (c,)``.
    """
    from scipy.ndimage import map_coordinates  # scipy: only when a field is sampled

    points = np.asarray(points)
    flat = points.reshape(-1, 3)
    indices = apply_affine(np.linalg.inv(index_to_lps(reference)), flat).T
    if values.ndim == 3:
        out = map_coordinates(values, indices, order=order, mode="nearest")
        return out.reshape(points.shape[:-1])
    out = np.stack(
        [map_coordinates(values[..., c], indices, order=order, mode="nearest") for c in range(values.shape[-1])],
        axis=-1,
    )
    return out.reshape(points.shape[:-1] + (values.shape[-1],))


def compose(first, second, reference):
    """Displacement of ``x -> second(first(x))`` where both fields live on ``reference``'s grid."""
    points = grid_points(reference)
    moved = points + first
    return (first + sample(second, reference, moved)).astype(np.float32)


def to_ants(field, reference):
    """An ANTs vector image (ITK displacement field) from a field array."""
    import ants

    return ants.from_numpy(
        np.ascontiguousarray(field, dtype=np.float32),
        origin=reference.origin,
        spacing=reference.spacing,
        direction=reference.direction,
        has_components=True,
    )
