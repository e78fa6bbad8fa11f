"""Write a NIfTI volume as a Neuroglancer precomputed volume (neuroglancer-scripts)."""

import logging
import os

import nibabel as nib
import numpy as np
from neuroglancer_scripts import dyadic_pyramid, precomputed_io
from neuroglancer_scripts.downscaling import get_downscaler
from neuroglancer_scripts.file_accessor import FileAccessor
from neuroglancer_scripts.scripts.generate_scales_info import set_info_params

from cortico.exceptions import ConflictError

CHUNK_SIZE = 64


def write_precomputed(nifti_path, folder, extra) -> dict:
    """Write the Neuroglancer precomputed version (``info`` + raw chunks) of a volume.

    Neuroglancer places voxel ``i`` over ``[i, i + 1) * resolution`` with no
    transform in ``info``; the NIfTI world (voxel *centres* on the affine) is
    recovered by ``extra["neuroglancer"]["transform"]``, which includes the
    half-voxel shift. Chunks are stored uncompressed (``raw`` encoding, no gzip) in
    ``<scale key>/<x0>-<x1>_<y0>-<y1>_<z0>-<z1>`` files; coarser dyadic scales are
    added (averaging for images, striding for segmentations).

    Parameters
    ----------
    nifti_path : str or os.PathLike
        A volume checked by :func:`inspect_nifti`.
    folder : str or os.PathLike
        Empty or absent destination folder, named by the caller (e.g. by id).
    extra : dict
        The volume's NiftiExtra (gives type, data type and resolution).

    Returns
    -------
    dict
        The ``info`` written.

    Raises
    ------
    ConflictError
        ``folder`` already holds an ``info`` file.
    """
    if os.path.exists(os.path.join(folder, "info")):
        raise ConflictError(f"a precomputed volume already exists in {os.fspath(folder)!r}")
    os.makedirs(folder, exist_ok=True)
    neuroglancer = extra["neuroglancer"]
    info = {
        "type": neuroglancer["type"],
        "num_channels": 1,
        "data_type": neuroglancer["data_type"],
        "scales": [
            {
                "encoding": "raw",
                "size": list(neuroglancer["size"]),
                "resolution": list(neuroglancer["resolution"]),
                "voxel_offset": [0, 0, 0],
            }
        ],
    }
    set_info_params(info, dataset_type=neuroglancer["type"], encoding="raw")
    dyadic_pyramid.fill_scales_for_dyadic_pyramid(info, target_chunk_size=CHUNK_SIZE)
    accessor = FileAccessor(os.fspath(folder), flat=True, gzip=False)
    writer = precomputed_io.get_IO_for_new_dataset(info, accessor)
    image = nib.load(os.fspath(nifti_path))
    volume = np.asanyarray(image.dataobj).reshape(tuple(neuroglancer["size"]))  # type: ignore[attr-defined]
    quiet = logging.getLogger("neuroglancer_scripts")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _write_full_scale(writer, _cast(volume, np.dtype(info["data_type"])))
        method = "average" if neuroglancer["type"] == "image" else "stride"
        dyadic_pyramid.compute_dyadic_scales(writer, get_downscaler(method, info))
    finally:
        quiet.setLevel(level)
    return writer.info


def _cast(volume, dtype):
    """Values as ``dtype``: rounded and clipped into an integer type's range."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if volume.dtype.kind == "f":
            volume = np.rint(volume)
        if not np.can_cast(volume.dtype, dtype, casting="safe"):
            volume = np.clip(volume, info.min, info.max)
    return volume.astype(dtype.newbyteorder("<"), copy=False)


def _write_full_scale(writer, volume):
    # neuroglancer-scripts' own chunk loop casts with np.array(copy=False), which
    # NumPy 2 refuses; its chunk writer and raw encoder are used as they are.
    scale = writer.info["scales"][0]
    chunk_size = scale["chunk_sizes"][0]
    size = scale["size"]
    for z0 in range(0, size[2], chunk_size[2]):
        z1 = min(z0 + chunk_size[2], size[2])
        for y0 in range(0, size[1], chunk_size[1]):
            y1 = min(y0 + chunk_size[1], size[1])
            for x0 in range(0, size[0], chunk_size[0]):
                x1 = min(x0 + chunk_size[0], size[0])
                # Neuroglancer chunks are (channel, z, y, x) in C order.
                chunk = np.ascontiguousarray(volume[x0:x1, y0:y1, z0:z1].T[np.newaxis])
                writer.write_chunk(chunk, scale["key"], (x0, x1, y0, y1, z0, z1))
