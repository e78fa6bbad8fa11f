"""The Chumni ``NiftiExtra`` metadata of a volume."""

import datetime

import numpy as np
from neuroglancer_scripts.transform import nifti_to_neuroglancer_transform

from cortico.exceptions import InputError

_DATA_TYPE_NAMES = {
    "uint8": "unsigned_char",
    "int8": "signed_char",
    "uint16": "unsigned_short",
    "int16": "signed_short",
    "uint32": "unsigned_int",
    "int32": "signed_int",
    "uint64": "unsigned_long_long",
    "int64": "signed_long_long",
    "float32": "float",
    "float64": "double",
    "float128": "long_double",
    "bool": "binary",
}
_SPATIAL_UNITS = {
    "mm": ("Millimeter", 1e6),
    "micron": ("Micron", 1e3),
    "meter": ("Meter", 1e9),
    "unknown": ("Unknown", 1e6),
}
_TEMPORAL_UNITS = {
    "sec": "Seconds",
    "msec": "Milliseconds",
    "usec": "Microseconds",
    "hz": "Hertz",
    "ppm": "PPM",
    "rads": "Radians/second",
    "unknown": "Unknown",
}
_XFORM_NAMES = {0: "UNKNOWN", 1: "SCANNER_ANAT", 2: "ALIGNED_ANAT", 3: "TALAIRACH", 4: "MNI_152", 5: "TEMPLATE_OTHER"}
_IMAGE_TYPES = ("uint8", "uint16", "uint32")


def utc_timestamp(moment=None):
    """ISO 8601 UTC time as Chumni writes it, e.g. ``2019-06-03T14:30:47.756927Z``."""
    moment = moment or datetime.datetime.now(datetime.UTC)
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def neuroglancer_data_type(dtype, segmentation, scaled, value_range=None):
    """The Neuroglancer ``data_type`` a volume is served as.

    Images keep uint8/uint16/uint32, also when the header scales the values (the
    chunks hold the stored values, as neuroglancer-scripts' ``--ignore-scaling``:
    no 4x float copy), and become float32 (scaled) otherwise. Segmentations keep unsigned types; signed or float
    labels become the unsigned type of the same width (uint32 for floats), which
    needs labels that are non-negative integers.

    Raises
    ------
    InputError
        A segmentation with negative or non-integer labels.
    """
    if not segmentation:
        return dtype.name if dtype.name in _IMAGE_TYPES else "float32"
    if value_range is not None:
        low, high, integral = value_range
        if low is not None and low < 0:
            raise InputError(f"segmentation labels must be non-negative integers, found {low:g}")
        if not integral:
            raise InputError("segmentation labels must be integers, found fractional values")
    if dtype.kind == "b":
        return "uint8"
    if dtype.kind in "iu" and not scaled:
        return f"uint{dtype.itemsize * 8}"
    return "uint32"


def nifti_extra(
    info,
    *,
    file_name,
    file_size,
    uncompressed_size,
    segmentation=False,
    uploaded=None,
    value_range=None,
    warnings=(),
):
    """Build the ``NiftiExtra`` dict of a checked header.

    Parameters
    ----------
    info : HeaderInfo
        The checked header.
    file_name : str
        Uploaded file name.
    file_size, uncompressed_size : int or None
        Stored and uncompressed sizes (bytes).
    segmentation : bool
        Whether the volume holds labels (``X-CHUNMA-SEGMENTATION``).
    uploaded : datetime.datetime, optional
        Upload time (now if omitted).
    value_range : tuple, optional
        ``(min, max, all_integral)`` of the scaled voxel values; ``None`` (preflight)
        leaves ``data`` out.
    warnings : sequence of str
        Extra warnings to report.

    Returns
    -------
    dict
    """
    header = info.header
    slope, inter = header.get_slope_inter()
    scaled = slope is not None and (slope != 1 or (inter or 0) != 0)
    all_warnings = list(info.warnings) + list(warnings)
    try:
        spatial, temporal = header.get_xyzt_units()
    except KeyError:  # nibabel raises on unit codes the standard does not define
        spatial, temporal = "unknown", "unknown"
        all_warnings.append(f"xyzt_units code {int(header['xyzt_units'])} is not a NIfTI unit code")
    spatial_name, to_nm = _SPATIAL_UNITS.get(spatial, ("Unknown", 1e6))
    if spatial_name == "Unknown":
        all_warnings.append("spatial units are not set: millimetres assumed")
    shape3 = list(info.shape[:3]) + [1] * (3 - len(info.shape[:3]))
    zooms = [float(z) for z in header.get_zooms()[: len(info.shape)]]
    zooms3 = (zooms[:3] + [1.0] * 3)[:3]
    resolution = [z * to_nm for z in zooms3]
    affine = info.affine
    scaled_axes = affine.copy()
    scaled_axes[:3, :3] = affine[:3, :3] / np.asarray(zooms3)
    scaled_axes[:3, 3] = affine[:3, 3] * to_nm
    transform = nifti_to_neuroglancer_transform(scaled_axes, resolution)
    sform_code, qform_code = int(header["sform_code"]), int(header["qform_code"])
    extra = {
        "fileName": file_name,
        "fileSize": file_size,
        "fileSizeUncompressed": uncompressed_size,
        "uploaded": utc_timestamp(uploaded),
        "nifti": {
            "niftiVersion": f"Nifti{info.version}",
            "byteOrder": "BIG_ENDIAN" if info.dtype.byteorder == ">" else "LITTLE_ENDIAN",
            "size": list(info.shape),
            "voxelSize": zooms,
            "spatialUnits": spatial_name,
            "temporalUnits": _TEMPORAL_UNITS.get(temporal, "Unknown"),
            "dataType": _DATA_TYPE_NAMES.get(info.dtype.newbyteorder("=").name, info.dtype.name),
            "slope": float(slope) if slope is not None else 1.0,
            "calMax": float(header["cal_max"]),
            "description": _text(header["descrip"]),
            "coordinateSystem": _XFORM_NAMES.get(sform_code or qform_code, "UNKNOWN"),
            "intentName": _text(header["intent_name"]),
            "affineMatrix": affine.tolist(),
        },
        "neuroglancer": {
            "type": "segmentation" if segmentation else "image",
            "data_type": neuroglancer_data_type(info.dtype, segmentation, scaled, value_range),
            "size": shape3,
            "resolution": resolution,
            "transform": transform.tolist(),
        },
        "warnings": all_warnings,
    }
    if value_range is not None:
        low, high, _ = value_range
        extra["data"] = {"minValue": _number_text(low), "maxValue": _number_text(high)}
    return extra


def _text(field):
    return bytes(np.asarray(field).tobytes()).split(b"\0", 1)[0].decode("latin-1").strip()


def _number_text(value):
    if value is None:
        return None
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))
