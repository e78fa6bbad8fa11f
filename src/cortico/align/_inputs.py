"""Validation of alignment inputs: the matrix, the landmark pairs and the images."""

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cortico.align._geometry import Grid
from cortico.align._geometry import check_same_grid as check_grids
from cortico.exceptions import InputError

#: Largest absolute entry of a transformation matrix (mm or scale).
MAX_MATRIX_ENTRY = 1e6
#: Largest factor by which the matrix may stretch or shrink lengths (singular values).
MAX_MATRIX_SCALE = 100.0
#: Most landmark pairs per alignment (VoluBA users place a handful).
MAX_LANDMARK_PAIRS = 1000
#: Longest landmark name.
MAX_LANDMARK_NAME_LENGTH = 200


@dataclass(frozen=True)
class LandmarkPairs:
    """Active landmark pairs as arrays.

    Attributes
    ----------
    template_points : numpy.ndarray
        (n, 3) ``source_point`` of each pair, template RAS (mm).
    incoming_points : numpy.ndarray
        (n, 3) ``target_point`` of each pair, incoming space (mm).
    names : tuple of str
        The pairs' names (``"#<index>"`` where none was given).
    """

    template_points: np.ndarray
    incoming_points: np.ndarray
    names: tuple

    def __len__(self):
        return len(self.names)


def parse_matrix(matrix) -> np.ndarray:
    """Check the incoming -> template matrix and return it as a 4x4 array.

    Parameters
    ----------
    matrix : array-like
        4x4 or 3x4 affine, row-major list of rows (mm). A 3x4 matrix is
        completed with ``[0, 0, 0, 1]``.

    Returns
    -------
    numpy.ndarray
        4x4 float array.

    Raises
    ------
    InputError
        Wrong shape, non-numeric or non-finite entries, a last row other than
        ``[0, 0, 0, 1]``, an entry above :data:`MAX_MATRIX_ENTRY`, a singular matrix
        or one scaling lengths by more than :data:`MAX_MATRIX_SCALE` (or less than
        its inverse).
    """
    try:
        array = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise InputError("transformation matrix must be a list of 3 or 4 rows of 4 numbers") from None
    if array.shape == (3, 4):
        array = np.vstack([array, [0.0, 0.0, 0.0, 1.0]])
    if array.shape != (4, 4):
        raise InputError(f"transformation matrix must be 4x4 or 3x4, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError("transformation matrix contains a non-finite value (NaN or infinity)")
    if not np.allclose(array[3], [0, 0, 0, 1]):
        raise InputError(f"the last row of the transformation matrix must be [0, 0, 0, 1], got {array[3].tolist()}")
    largest = float(np.abs(array).max())
    if largest > MAX_MATRIX_ENTRY:
        raise InputError(
            f"transformation matrix has an entry of {largest:g}; an incoming -> template map in mm has entries "
            f"below {MAX_MATRIX_ENTRY:g}"
        )
    if abs(np.linalg.det(array[:3, :3])) < 1e-9:
        raise InputError("transformation matrix is singular (its 3x3 part has a zero determinant)")
    scales = np.linalg.svd(array[:3, :3], compute_uv=False)
    if scales.max() > MAX_MATRIX_SCALE or scales.min() < 1 / MAX_MATRIX_SCALE:
        raise InputError(
            f"transformation matrix is ill-conditioned: it scales lengths by {scales.min():.3g} to {scales.max():.3g}"
            f" (expected between {1 / MAX_MATRIX_SCALE:g} and {MAX_MATRIX_SCALE:g} for volumes in mm)"
        )
    return array


def parse_landmark_pairs(pairs) -> LandmarkPairs:
    """Keep the active landmark pairs and return them as arrays.

    Parameters
    ----------
    pairs : list of dict or None
        Each ``{"source_point": [x, y, z] (template mm), "target_point": [x, y, z]
        (incoming mm), "active": bool = True, "name": str (optional)}``. Other keys
        (e.g. ``colour``) are ignored, inactive pairs are dropped.

    Returns
    -------
    LandmarkPairs

    Raises
    ------
    InputError
        Listing every malformed pair (missing point, not 3 finite numbers, ``active``
        not a boolean, a name longer than :data:`MAX_LANDMARK_NAME_LENGTH`), or more
        than :data:`MAX_LANDMARK_PAIRS` pairs.
    """
    if pairs is not None and len(pairs) > MAX_LANDMARK_PAIRS:
        raise InputError(f"{len(pairs)} landmark pairs were given; at most {MAX_LANDMARK_PAIRS} are allowed")
    problems = []
    template, incoming, names = [], [], []
    for index, pair in enumerate(pairs or []):
        if not isinstance(pair, dict):
            problems.append(f"landmark pair #{index} must be an object, got {type(pair).__name__}")
            continue
        name = pair.get("name")
        if name is not None and (not isinstance(name, str) or len(name) > MAX_LANDMARK_NAME_LENGTH):
            problems.append(
                f"landmark pair #{index}: 'name' must be a text of at most {MAX_LANDMARK_NAME_LENGTH} characters"
            )
            continue
        active = pair.get("active", True)
        if not isinstance(active, bool):
            problems.append(f"landmark pair #{index}: 'active' must be true or false, got {active!r}")
            continue
        points = [_point(pair, key, index, problems) for key in ("source_point", "target_point")]
        if not active or None in points:
            continue
        template.append(points[0])
        incoming.append(points[1])
        names.append(str(pair.get("name") or f"#{index}"))
    if problems:
        raise InputError(f"{len(problems)} invalid landmark pair(s): {problems[0]}", problems=problems)
    return LandmarkPairs(
        template_points=np.array(template, dtype=float).reshape(-1, 3),
        incoming_points=np.array(incoming, dtype=float).reshape(-1, 3),
        names=tuple(names),
    )


def _point(pair, key, index, problems):
    value = pair.get(key)
    if value is None:
        problems.append(f"landmark pair #{index} has no '{key}'")
        return None
    ok = (
        isinstance(value, (list, tuple))
        and len(value) == 3
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in value)
    )
    if not ok:
        problems.append(f"landmark pair #{index}: '{key}' must be 3 finite numbers, got {value!r}")
        return None
    return [float(v) for v in value]


def load_image(image, what, work_dir):
    """Return a float ANTs image from an ANTs image, a nibabel image or a file path.

    nibabel images are written to ``work_dir`` and read back by ANTs so that the
    voxel->world geometry is always ITK's (its qform/sform choice).

    Parameters
    ----------
    image : ants.ANTsImage, nibabel image, (array, affine) tuple, str or os.PathLike
        The volume; an ``(array, affine)`` pair is a RAS voxel->world affine (mm).
    what : str
        What the volume is, for error messages (e.g. ``"incoming depth map"``).
    work_dir : str
        A private scratch folder.

    Returns
    -------
    ants.ANTsImage
    """
    import ants
    import nibabel as nib

    if isinstance(image, tuple) and len(image) == 2:
        data, affine = image
        data, affine = np.asarray(data), np.asarray(affine, dtype=float)
        if affine.shape != (4, 4):
            raise InputError(f"{what}: an (array, affine) pair needs a 4x4 affine, got shape {affine.shape}")
        image = nib.Nifti1Image(data.astype(np.float32), affine)
    if isinstance(image, ants.ANTsImage):
        result = image.clone("float")
    elif isinstance(image, nib.spatialimages.SpatialImage):
        path = os.path.join(work_dir, f"{what.replace(' ', '_')}.nii.gz")
        # affine=None keeps the header's qform/sform and their codes for ITK to choose from.
        data = np.asarray(image.dataobj, dtype=np.float32)
        _check_finite(data, what)
        copy = nib.Nifti1Image(data, None, image.header)
        nib.save(copy, path)
        result = ants.image_read(path, pixeltype="float")
    elif isinstance(image, (str, os.PathLike)):
        path = Path(image)
        if not path.is_file():
            raise InputError(f"{what}: no such file {str(path)!r}")
        try:
            result = ants.image_read(str(path), pixeltype="float")
        except Exception as exc:  # ITK raises plain RuntimeErrors for unreadable files
            raise InputError(f"{what}: {str(path)!r} is not a readable NIfTI volume ({exc})") from None
    else:
        raise InputError(
            f"{what} must be an ANTs image, a nibabel image, an (array, affine) pair or a file path, "
            f"got {type(image).__name__}"
        )
    if result.dimension != 3 or result.components != 1:
        raise InputError(
            f"{what} must be a 3D scalar volume, got {result.dimension}D with {result.components} component(s)"
        )
    _check_finite(result.numpy(), what)
    return result


def _check_finite(values, what):
    if not np.all(np.isfinite(values)):
        count = int(np.count_nonzero(~np.isfinite(values)))
        raise InputError(f"{what} has {count} non-finite voxel(s) (NaN or infinity); all values must be finite")


def check_depth_map(image, what):
    """Raise InputError unless every value of a (finite) depth map is in [0, 1]."""
    values = image.numpy()
    low, high = float(values.min()), float(values.max())
    if low < -1e-6 or high > 1 + 1e-6:
        raise InputError(
            f"{what} must hold depths in [0, 1] (0 pial, 1 white), found values from {low:g} to {high:g}"
            " (is this a segmentation rather than a depth map?)"
        )


def check_same_grid(image, depth):
    """Raise InputError, saying what differs, unless the incoming image and its depth map share one voxel grid."""
    check_grids(Grid.from_ants(image), Grid.from_ants(depth), "incoming image", "incoming depth map")
