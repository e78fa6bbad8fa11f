"""Write a NIfTI volume as a Neuroglancer precomputed volume (neuroglancer-scripts).

The full-resolution scale is written from blocks of the file read one after the
other (at most ``BLOCK_BYTES`` of voxels at a time, whatever the volume's size),
the coarser scales chunk by chunk from the finer one, so memory stays bounded.
"""

import gzip
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
#: Most voxel bytes read from the file at once (as stored; the output type may be up to 4x wider).
BLOCK_BYTES = 16 << 20


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
    quiet = logging.getLogger("neuroglancer_scripts")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        _write_full_scale(writer, _VoxelBlocks(nifti_path, tuple(neuroglancer["size"])), np.dtype(info["data_type"]))
        method = "average" if neuroglancer["type"] == "image" else "stride"
        dyadic_pyramid.compute_dyadic_scales(writer, get_downscaler(method, info))
    finally:
        quiet.setLevel(level)
    return writer.info


class _VoxelBlocks:
    """Reads ``[:, y0:y1, z0:z1]`` blocks of a NIfTI volume's stored values, in file order.

    The data are read as stored (Fortran order, the header's byte order), never
    all at once; a gzipped file is decompressed as a stream (reading blocks in
    increasing z, as the writer does, never rewinds it when a block spans all y).
    """

    def __init__(self, path, size):
        proxy = nib.load(os.fspath(path)).dataobj
        self.path = os.fspath(path)
        self.dtype = proxy.dtype
        self.offset = int(proxy.offset)
        self.size = size
        self.slope = float(proxy.slope)
        self.inter = float(proxy.inter)
        with open(self.path, "rb") as stream:
            self.gzipped = stream.read(2) == b"\x1f\x8b"

    def open(self):
        return gzip.open(self.path, "rb") if self.gzipped else open(self.path, "rb")

    def block(self, stream, y0, y1, z0, z1):
        nx, ny, _ = self.size
        itemsize = self.dtype.itemsize
        out = np.empty((nx, y1 - y0, z1 - z0), dtype=self.dtype, order="F")
        for z in range(z0, z1):
            stream.seek(self.offset + (z * nx * ny + y0 * nx) * itemsize)
            count = nx * (y1 - y0)
            raw = stream.read(count * itemsize)
            if len(raw) != count * itemsize:
                raise ValueError(f"{self.path}: the voxel data end early")
            out[:, :, z - z0] = np.frombuffer(raw, dtype=self.dtype).reshape((nx, y1 - y0), order="F")
        return out


def _cast(volume, dtype, slope=1.0, inter=0.0):
    """Values as ``dtype``: integer types keep the stored values (rounded and clipped into
    range), float32 gets the header's scaling applied."""
    if dtype.kind == "f":
        volume = volume.astype(np.float32)
        if slope != 1.0 or inter != 0.0:
            volume = volume * np.float32(slope) + np.float32(inter)
        return volume.astype(dtype.newbyteorder("<"), copy=False)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if volume.dtype.kind == "f":
            volume = np.rint(volume)
        if not np.can_cast(volume.dtype, dtype, casting="safe"):
            volume = np.clip(volume, info.min, info.max)
    return volume.astype(dtype.newbyteorder("<"), copy=False)


def _write_full_scale(writer, blocks, dtype):
    # neuroglancer-scripts' own chunk loop casts with np.array(copy=False), which
    # NumPy 2 refuses; its chunk writer and raw encoder are used as they are.
    scale = writer.info["scales"][0]
    chunk_size = scale["chunk_sizes"][0]
    size = scale["size"]
    plane_bytes = size[0] * size[1] * blocks.dtype.itemsize
    # Blocks are whole chunk rows in z, as many y rows as fit in BLOCK_BYTES.
    rows_per_block = max(1, min(size[1], BLOCK_BYTES // max(1, size[0] * chunk_size[2] * blocks.dtype.itemsize)))
    rows_per_block = size[1] if plane_bytes * chunk_size[2] <= BLOCK_BYTES else rows_per_block
    if rows_per_block < size[1]:
        rows_per_block = max(chunk_size[1], rows_per_block - rows_per_block % chunk_size[1])
    with blocks.open() as stream:
        for z0 in range(0, size[2], chunk_size[2]):
            z1 = min(z0 + chunk_size[2], size[2])
            for b0 in range(0, size[1], rows_per_block):
                b1 = min(b0 + rows_per_block, size[1])
                volume = _cast(blocks.block(stream, b0, b1, z0, z1), dtype, blocks.slope, blocks.inter)
                for y0 in range(b0, b1, chunk_size[1]):
                    y1 = min(y0 + chunk_size[1], b1)
                    for x0 in range(0, size[0], chunk_size[0]):
                        x1 = min(x0 + chunk_size[0], size[0])
                        # Neuroglancer chunks are (channel, z, y, x) in C order.
                        chunk = np.ascontiguousarray(volume[x0:x1, y0 - b0 : y1 - b0, :].T[np.newaxis])
                        writer.write_chunk(chunk, scale["key"], (x0, x1, y0, y1, z0, z1))
