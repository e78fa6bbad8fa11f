"""Coordinate spaces of an alignment and the matrices between them.

Four spaces meet in an alignment:

- *incoming space*: the coordinates in which the user's matrix and the landmarks'
  ``target_point`` are given (mm). This is VoluBA's space: Neuroglancer's
  precomputed space of the incoming volume, where voxel ``i`` covers
  ``[i, i + 1) * voxel_size``, so its centre is at ``(i + 0.5) * voxel_size``.
  The cortical-voluba backend put centres at ``i * voxel_size`` (half a voxel off);
  ``incoming_space="seed"`` reproduces that, ``"world"`` uses the incoming image's
  own NIfTI RAS world instead.
- *incoming world, LPS*: ITK/ANTs physical space of the incoming image.
- *template RAS*: NIfTI world of the template (``source_point`` of landmarks, mm).
- *template LPS*: ITK/ANTs physical space of the template.

RAS and LPS differ by ``RAS_TO_LPS = diag(-1, -1, 1, 1)`` (its own inverse). The
voxel->world geometry is always taken from the ANTs image (ITK chooses between
qform and sform itself), never from nibabel.
"""

import numpy as np

from cortico.exceptions import InputError

RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])

INCOMING_SPACES = ("neuroglancer", "seed", "world")

# Offset of a voxel centre, in voxels, in each incoming-space convention.
_CENTRE_OFFSET = {"neuroglancer": 0.5, "seed": 0.0}


def index_to_lps(image):
    """Voxel index -> LPS world (mm) matrix of an ANTs image.

    Parameters
    ----------
    image : ants.ANTsImage
        A 3D image.

    Returns
    -------
    numpy.ndarray
        4x4 matrix.
    """
    matrix = np.eye(4)
    matrix[:3, :3] = np.asarray(image.direction) @ np.diag(image.spacing)
    matrix[:3, 3] = image.origin
    return matrix


def incoming_space_to_lps(image, incoming_space="neuroglancer"):
    """Incoming space (mm) -> incoming LPS world (mm) matrix.

    Parameters
    ----------
    image : ants.ANTsImage
        The incoming image (gives voxel size and world geometry).
    incoming_space : {"neuroglancer", "seed", "world"}
        Convention of the incoming coordinates, see the module docstring.

    Returns
    -------
    numpy.ndarray
        4x4 matrix.
    """
    if incoming_space == "world":
        return RAS_TO_LPS.copy()
    if incoming_space not in _CENTRE_OFFSET:
        raise InputError(f"incoming_space must be one of {', '.join(INCOMING_SPACES)}, got {incoming_space!r}")
    space_to_index = np.diag([1.0 / s for s in image.spacing] + [1.0])
    space_to_index[:3, 3] = -_CENTRE_OFFSET[incoming_space]
    return index_to_lps(image) @ space_to_index


def apply_affine(matrix, points):
    """Apply a 4x4 matrix to an (n, 3) array of points."""
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    return points @ matrix[:3, :3].T + matrix[:3, 3]
