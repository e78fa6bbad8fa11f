"""Check an uploaded NIfTI file streamed from disk, and preflight its first bytes."""

import os

import numpy as np

from cortico.exceptions import InputError, LimitExceededError
from cortico.images._extra import nifti_extra
from cortico.images._header import header_size, parse_header
from cortico.images._names import volume_name
from cortico.images._stream import is_gzip, iter_uncompressed, uncompressed_prefix

DEFAULT_MAX_UNCOMPRESSED_BYTES = 4 << 30
PREFLIGHT_BYTES = 2048
# Padding some writers leave after the voxel data.
_TRAILING_SLACK = 4096


def inspect_nifti(
    path, file_name, *, segmentation=False, uploaded=None, max_uncompressed_bytes=DEFAULT_MAX_UNCOMPRESSED_BYTES
) -> dict:
    """Check a stored NIfTI file and describe it (Chumni ``NiftiExtra``).

    The file is read once as a stream: the header is checked first, then the
    (gzip) data is decompressed piece by piece, never past the size the header
    declares, while the value range is accumulated. Nothing is held in memory
    beyond one piece.

    Parameters
    ----------
    path : str or os.PathLike
        The uploaded file on disk.
    file_name : str
        Its uploaded name, ending with ``.nii`` or ``.nii.gz``.
    segmentation : bool
        Whether it holds labels (``X-CHUNMA-SEGMENTATION: true``).
    uploaded : datetime.datetime, optional
        Upload time (now if omitted).
    max_uncompressed_bytes : int
        Largest accepted uncompressed size.

    Returns
    -------
    dict
        NiftiExtra: ``fileName, fileSize, fileSizeUncompressed, uploaded, nifti{...},
        data{minValue, maxValue}, neuroglancer{type, data_type, size, resolution,
        transform}, warnings``.

    Raises
    ------
    InputError
        Not NIfTI, a bad header (0-sized or absurd dimension, NaN affine, ...),
        corrupt or truncated gzip, data shorter or longer than declared, a bad
        segmentation.
    LimitExceededError
        The header declares more than ``max_uncompressed_bytes``.
    """
    volume_name(file_name)
    warnings = []
    if is_gzip(_first_bytes(path, 2)) != file_name.lower().endswith(".gz"):
        warnings.append("the file name's .gz suffix does not match its content; the content was trusted")
    info, statistics, total = None, None, 0
    buffer = b""
    for piece in iter_uncompressed(path, limit=max_uncompressed_bytes + _TRAILING_SLACK):
        if info is None:
            buffer += piece
            if len(buffer) < 4 or len(buffer) < header_size(buffer):
                continue
            info = parse_header(buffer)
            if info.expected_size > max_uncompressed_bytes:
                raise LimitExceededError(
                    f"volume of shape {info.shape} ({info.dtype}) needs {info.expected_size} bytes uncompressed, "
                    f"more than the {max_uncompressed_bytes} accepted"
                )
            statistics = _ValueStatistics(info)
            piece, buffer = buffer, b""
        if total + len(piece) > info.expected_size + _TRAILING_SLACK:
            raise InputError(
                f"file decompresses to more than the {info.expected_size} bytes its NIfTI header declares "
                "(a gzip bomb or trailing garbage)"
            )
        statistics.feed(piece, total)
        total += len(piece)
    if info is None:
        header_size(buffer)  # raises "too short" or "not a NIfTI file"
        raise InputError(f"file ends inside the NIfTI header: {len(buffer)} of {header_size(buffer)} header bytes")
    if total < info.expected_size:
        raise InputError(
            f"truncated NIfTI file: the header declares {info.data_bytes} data bytes at offset "
            f"{info.data_offset}, the file holds {max(total - info.data_offset, 0)}"
        )
    if statistics.nan_count:
        warnings.append(f"{statistics.nan_count} voxel(s) are NaN or infinite")
    return nifti_extra(
        info,
        file_name=file_name,
        file_size=os.path.getsize(path),
        uncompressed_size=total,
        segmentation=segmentation,
        uploaded=uploaded,
        value_range=statistics.value_range(),
        warnings=warnings,
    )


def preflight_nifti(first_bytes, file_name, *, file_size=None, segmentation=False, uploaded=None) -> dict:
    """Describe a volume from its first bytes only (the header; no data is read).

    Parameters
    ----------
    first_bytes : bytes
        The file's first bytes (the client sends 2048), gzipped or not.
    file_name : str
        File name, ending with ``.nii`` or ``.nii.gz``.
    file_size : int, optional
        The whole file's size, if the client said it (``X-CHUNMA-FILESIZE``).
    segmentation : bool
        Whether it holds labels.
    uploaded : datetime.datetime, optional
        Time stamp to report (now if omitted).

    Returns
    -------
    dict
        NiftiExtra without ``data``; ``fileSizeUncompressed`` is the size the header
        declares.

    Raises
    ------
    InputError
        As :func:`inspect_nifti`, for what the header alone shows.
    """
    volume_name(file_name)
    head = uncompressed_prefix(first_bytes)
    info = parse_header(head)
    return nifti_extra(
        info,
        file_name=file_name,
        file_size=file_size,
        uncompressed_size=info.expected_size,
        segmentation=segmentation,
        uploaded=uploaded,
    )


def _first_bytes(path, count):
    with open(path, "rb") as stream:
        return stream.read(count)


class _ValueStatistics:
    """Running min/max (scaled) and NaN count of the voxel data, fed piece by piece."""

    def __init__(self, info):
        self.info = info
        self.low = None
        self.high = None
        self.integral = True
        self.nan_count = 0
        self._leftover = b""
        self._seen = 0

    def feed(self, piece, offset):
        start = max(self.info.data_offset - offset, 0)
        end = min(self.info.expected_size - offset, len(piece))
        if start >= end:
            return
        data = self._leftover + piece[start:end]
        usable = len(data) - len(data) % self.info.dtype.itemsize
        self._leftover = data[usable:]
        values = np.frombuffer(data[:usable], dtype=self.info.dtype)
        if values.size == 0:
            return
        if values.dtype.kind == "f":
            finite = np.isfinite(values)
            self.nan_count += int(values.size - np.count_nonzero(finite))
            values = values[finite]
            if values.size == 0:
                return
            if self.integral and not np.all(values == np.round(values)):
                self.integral = False
        low, high = values.min(), values.max()
        self.low = low if self.low is None else min(self.low, low)
        self.high = high if self.high is None else max(self.high, high)

    def value_range(self):
        """``(min, max, all_integral)`` after the header's scaling."""
        if self.low is None:
            return None, None, True
        slope, inter = self.info.header.get_slope_inter()
        low, high = float(self.low), float(self.high)
        if slope is None:
            return low, high, self.integral
        ends = sorted([low * slope + (inter or 0.0), high * slope + (inter or 0.0)])
        integral = self.integral and float(slope).is_integer() and float(inter or 0).is_integer()
        return ends[0], ends[1], integral
