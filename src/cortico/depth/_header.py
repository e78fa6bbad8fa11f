"""Checks made on a segmentation's header before its data is read.

The grid size and the memory a depth run will need are checked first, so that a
tiny file declaring a huge grid (or a gzip bomb) is refused in milliseconds. The
voxel size comes from the sform (or the qform) as the column lengths of its 3x3 part;
a zero size, or a pixdim that disagrees with the transform, is refused instead of
being silently replaced by 1 mm as nibabel does.
"""

from __future__ import annotations

import math

import nibabel as nib
import numpy as np
from nibabel.openers import ImageOpener

from cortico.exceptions import InputError

#: Default memory limit of one depth run (bytes); workers read ``DEPTH_MAX_MEMORY_BYTES``.
DEFAULT_MAX_MEMORY_BYTES = 8 << 30

#: Bytes per voxel of the grid a depth run holds at its peak, besides the input labels
#: (classes, padded classes, potential, smoothed potential, curvature, mask, output
#: maps, index lists); measured 1.23 GB for the 320^3 sphere of 10^7 cortex voxels.
BYTES_PER_VOXEL = 34

#: Relative difference tolerated between the pixdim and the transform's voxel sizes.
SIZE_TOLERANCE = 1e-3

_UNIT_TO_MM = {"mm": 1.0, "unknown": 1.0, "meter": 1000.0, "micron": 1e-3}


def estimated_memory_bytes(shape, itemsize) -> int:
    """Peak memory of a depth run on a grid of ``shape`` with input labels of ``itemsize`` bytes."""
    voxels = math.prod(int(n) for n in shape)
    return voxels * (int(itemsize) + BYTES_PER_VOXEL)


def _gigabytes(n_bytes):
    return f"{n_bytes / (1 << 30):.1f} GiB"


def check_grid(image, name, max_memory_bytes) -> tuple[int, int, int]:
    """The 3D grid shape declared by the header, refused when a run would need too much memory."""
    shape = tuple(int(n) for n in image.header.get_data_shape())
    spatial = shape[:3]
    extra = shape[3:]
    if len(spatial) < 2 or any(n != 1 for n in extra):
        raise InputError(
            f"{name} holds {len(shape)}D data of shape {shape}; expected a 3D label volume or a 2-D section"
        )
    if any(n < 1 for n in spatial):
        raise InputError(f"{name} declares an empty grid {spatial}")
    itemsize = np.dtype(image.get_data_dtype()).itemsize
    needed = estimated_memory_bytes(spatial, itemsize)
    if max_memory_bytes is not None and needed > max_memory_bytes:
        raise InputError(
            f"{name} declares a {'x'.join(str(n) for n in spatial)} grid of "
            f"{np.dtype(image.get_data_dtype()).name}; a depth run on it would need about "
            f"{_gigabytes(needed)}, more than the limit of {_gigabytes(max_memory_bytes)} "
            "(crop the segmentation to the cortex, or raise the limit)"
        )
    return spatial


def _raw_nifti_header(image, path):
    """The NIfTI header as stored, before nibabel's fixes (zero pixdims become 1)."""
    with ImageOpener(path) as stream:
        return type(image.header).from_fileobj(stream, check=False)


def _column_lengths(matrix):
    return np.sqrt((np.asarray(matrix, dtype=np.float64)[:3, :3] ** 2).sum(axis=0))


def _shown(sizes):
    return "(" + ", ".join(f"{float(s):.6g}" for s in sizes) + ")"


def header_voxel_sizes(image, path, name, dims=3) -> tuple[float, float, float]:
    """Voxel sizes in mm from the sform (else qform, else pixdim) of a NIfTI or MGH image.

    Only the first ``dims`` sizes are checked (2 for a 2-D section, whose third size
    is often 0 or 1 and is ignored).

    Raises
    ------
    InputError
        For a zero or non-finite size, or when pixdim, qform and sform disagree.
    """
    advice = "fix the header, or give the voxel size explicitly (--voxel-size / voxel_size)"
    if not isinstance(image, (nib.Nifti1Image, nib.Nifti2Image)):
        sizes = _column_lengths(image.affine)[:dims]
        zooms = np.asarray(image.header.get_zooms()[:3], dtype=np.float64)[:dims]
        _check_sizes(sizes, zooms, "the header's voxel sizes", name, advice)
        return tuple(float(s) for s in sizes)
    raw = _raw_nifti_header(image, path)
    scale = _UNIT_TO_MM.get(raw.get_xyzt_units()[0], 1.0)
    pixdim = np.abs(np.asarray(raw["pixdim"][1:4], dtype=np.float64)) * scale
    candidates = []
    if int(raw["sform_code"]) > 0:
        candidates.append(("sform", _column_lengths(raw.get_sform()) * scale))
    if int(raw["qform_code"]) > 0:
        candidates.append(("qform", _column_lengths(raw.get_qform()) * scale))
    if not candidates:
        candidates.append(("pixdim", pixdim))
    candidates = [(label, values[:dims]) for label, values in candidates]
    pixdim = pixdim[:dims]
    source, sizes = candidates[0]
    bad = ~np.isfinite(sizes) | (sizes <= 0)
    if np.any(bad):
        raise InputError(
            f"{name}: the voxel size from the {source} is {_shown(sizes)} mm; a zero or "
            f"non-finite size gives no geometry: {advice}"
        )
    for other, other_sizes in candidates[1:] + [("pixdim", pixdim)]:
        if other != source:
            _check_sizes(sizes, other_sizes, f"the {other}", name, advice, source=source)
    if dims == 2:
        return (float(sizes[0]), float(sizes[1]), float(min(sizes)))
    return tuple(float(s) for s in sizes)


def _check_sizes(sizes, other, other_name, name, advice, *, source="transform"):
    if not np.all(np.isfinite(sizes)) or np.any(sizes <= 0):
        raise InputError(f"{name}: the voxel size from the {source} is {_shown(sizes)} mm: {advice}")
    if not np.allclose(sizes, other, rtol=SIZE_TOLERANCE, atol=1e-6):
        raise InputError(
            f"{name}: the voxel sizes disagree: {_shown(sizes)} mm from the {source} but "
            f"{_shown(other)} mm from {other_name}; depths would be computed on the wrong "
            f"geometry: {advice}"
        )
