"""Parse and check a NIfTI-1/NIfTI-2 header from its raw bytes (nibabel does the parsing)."""

from dataclasses import dataclass

import nibabel as nib
import numpy as np

from cortico.exceptions import InputError

NIFTI1_HEADER_SIZE = 348
NIFTI2_HEADER_SIZE = 540
# Largest accepted size of one axis; NIfTI-2 allows 2**63, no real volume comes near.
MAX_AXIS_SIZE = 65536


@dataclass(frozen=True)
class HeaderInfo:
    """A checked NIfTI header and what follows from it.

    Attributes
    ----------
    header : nibabel.Nifti1Header or nibabel.Nifti2Header
    version : int
        1 or 2.
    shape : tuple of int
    dtype : numpy.dtype
        On-disk data type, with its byte order.
    data_offset : int
        Byte offset of the voxel data (``vox_offset``).
    data_bytes : int
        Size of the voxel data the header declares.
    affine : numpy.ndarray
        nibabel's best affine (sform if its code is set, else qform, else pixdim).
    warnings : tuple of str
    """

    header: object
    version: int
    shape: tuple
    dtype: np.dtype
    data_offset: int
    data_bytes: int
    affine: np.ndarray
    warnings: tuple

    @property
    def expected_size(self):
        """Uncompressed file size the header declares (header, extensions, data)."""
        return self.data_offset + self.data_bytes


def header_size(first_bytes):
    """540 or 348 from a header's first 4 bytes; InputError if they are neither."""
    return _size_and_byte_order(first_bytes)[0]


def _size_and_byte_order(first_bytes):
    if len(first_bytes) < 4:
        raise InputError(f"file is too short to be NIfTI: {len(first_bytes)} byte(s)")
    for order in ("<", ">"):
        size = int(np.frombuffer(first_bytes[:4], dtype=f"{order}i4")[0])
        if size in (NIFTI1_HEADER_SIZE, NIFTI2_HEADER_SIZE):
            return size, order
    raise InputError("not a NIfTI file: its first 4 bytes must encode the header size 348 (NIfTI-1) or 540 (NIfTI-2)")


def parse_header(raw):
    """Parse and check a NIfTI header.

    Parameters
    ----------
    raw : bytes
        At least the header's bytes (348 for NIfTI-1, 540 for NIfTI-2), uncompressed.

    Returns
    -------
    HeaderInfo

    Raises
    ------
    InputError
        Not NIfTI, a two-file (.hdr/.img) header, an unknown or complex data type, a
        0-sized or absurd dimension, non-positive or non-finite voxel sizes, a
        non-finite or singular affine, or a data offset inside the header.
    """
    size, byte_order = _size_and_byte_order(raw)
    if len(raw) < size:
        raise InputError(f"file ends inside the NIfTI header: {len(raw)} of {size} header bytes")
    klass = nib.Nifti1Header if size == NIFTI1_HEADER_SIZE else nib.Nifti2Header
    version = 1 if size == NIFTI1_HEADER_SIZE else 2
    try:
        # The byte order comes from sizeof_hdr; nibabel would guess it from dim[0].
        header = klass(binaryblock=bytes(raw[:size]), endianness=byte_order, check=False)
    except Exception as exc:  # nibabel raises several kinds for garbage headers
        raise InputError(f"unreadable NIfTI-{version} header: {exc}") from None
    magic = bytes(header["magic"])
    if magic.startswith(b"ni"):
        raise InputError(
            "this is the header of a two-file NIfTI pair (.hdr/.img); upload a single-file .nii or .nii.gz"
        )
    if not magic.startswith(b"n+"):
        raise InputError(f"not a NIfTI file: bad magic string {magic!r} (expected 'n+{version}')")

    dims = [int(d) for d in header["dim"]]
    ndim = dims[0]
    if not 1 <= ndim <= 7:
        raise InputError(f"NIfTI header declares {ndim} dimensions; it must be between 1 and 7")
    shape = tuple(dims[1 : ndim + 1])
    axes = "xyztuvw"
    for axis, length in enumerate(shape):
        if length <= 0:
            raise InputError(
                f"dimension {axis + 1} ({axes[axis]}) has size {length}: every dimension must be at least 1"
            )
        if length > MAX_AXIS_SIZE:
            raise InputError(
                f"dimension {axis + 1} ({axes[axis]}) has size {length}, more than the {MAX_AXIS_SIZE} accepted"
            )
    if any(length > 1 for length in shape[3:]):
        raise InputError(f"only 3D volumes are accepted, this one has shape {shape}")

    try:
        dtype = header.get_data_dtype()
    except Exception:
        raise InputError(f"unknown NIfTI data type code {int(header['datatype'])}") from None
    if dtype.kind == "c":
        raise InputError(f"complex data ({dtype.name}) cannot be displayed; convert it to a real type")
    if dtype.kind == "V":
        raise InputError("RGB/RGBA volumes are not supported; convert them to one scalar channel")
    if dtype.kind not in "biuf":
        raise InputError(f"unsupported NIfTI data type {dtype}")

    zooms = np.asarray(header["pixdim"][1:4], dtype=float)[: min(ndim, 3)]
    if not np.all(np.isfinite(zooms)) or np.any(zooms <= 0):
        raise InputError(f"voxel sizes must be finite and positive, got {zooms.tolist()}")
    affine = header.get_best_affine()
    if not np.all(np.isfinite(affine)):
        raise InputError("the NIfTI affine (sform/qform) contains NaN or infinity")
    if abs(np.linalg.det(affine[:3, :3])) < 1e-12:
        raise InputError("the NIfTI affine (sform/qform) is singular")

    data_offset = int(header["vox_offset"])
    if data_offset < size:
        raise InputError(f"vox_offset {data_offset} points inside the {size}-byte header")
    warnings = []
    if int(header["sform_code"]) == 0 and int(header["qform_code"]) == 0:
        warnings.append("neither sform nor qform is set: orientation is unknown, only voxel sizes are used")
    data_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    return HeaderInfo(
        header=header,
        version=version,
        shape=shape,
        dtype=dtype,
        data_offset=data_offset,
        data_bytes=data_bytes,
        affine=affine,
        warnings=tuple(warnings),
    )
