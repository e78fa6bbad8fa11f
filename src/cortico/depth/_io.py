"""Reading segmentations (NIfTI/MGZ) and writing depth maps (NIfTI) with nibabel."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np

from cortico.depth._engine import (
    PRODUCTS,
    SMOOTHING_SIGMA_MM,
    DepthResult,
    compute_depth,
    validate_voxel_sizes,
)
from cortico.depth._header import DEFAULT_MAX_MEMORY_BYTES, check_grid, header_voxel_sizes
from cortico.exceptions import InputError

#: File name endings read as segmentations, and those written as maps.
SEGMENTATION_SUFFIXES = (".nii.gz", ".nii", ".mgz", ".mgh")
MAP_SUFFIXES = (".nii.gz", ".nii")

#: NIfTI intent name (at most 16 characters) per product; all use intent 1001 (estimate).
INTENT_NAMES = {
    "equivolumetric": "Equivol. depth",
    "equidistant": "Equidist. depth",
    "laplace": "Laplace pot.",
    "thickness": "Thickness (mm)",
    "quality": "Depth quality",
    "curvature": "Isosurf. curv.",
    "layers": "Equivol. layers",
    "boundaries": "Layer boundaries",
    "profiles": "Depth profiles",
}

#: Products written with their own data type instead of float32.
_PRODUCT_DTYPES = {"quality": np.uint8, "layers": np.uint8}


@dataclass
class DepthFiles:
    """What :func:`depth_map_from_file` wrote.

    Attributes
    ----------
    paths : dict of str to Path
        Product name (``"equivolumetric"`` and the side products) to file.
    result : DepthResult
        The computed maps and summary.
    """

    paths: dict
    result: DepthResult


@dataclass
class Segmentation:
    """A label volume read from disk.

    Attributes
    ----------
    labels : ndarray
        The data as stored (scaling applied), not yet validated.
    affine : ndarray, (4, 4)
        Voxel to world transform of the file.
    voxel_sizes : tuple of float
        Voxel sizes in mm (NIfTI spatial units converted).
    header : nibabel header
        The file's header, reused when writing maps on the same grid.
    """

    labels: np.ndarray
    affine: np.ndarray
    voxel_sizes: tuple[float, ...]
    header: object


def _suffix(path: Path, allowed) -> str | None:
    name = path.name.lower()
    return next((s for s in allowed if name.endswith(s)), None)


def load_segmentation(path, *, voxel_sizes=None, max_memory_bytes=DEFAULT_MAX_MEMORY_BYTES) -> Segmentation:
    """Read a segmentation from a NIfTI-1/2 or MGH/MGZ file, checking its header first.

    Parameters
    ----------
    path : str or Path
        ``.nii``, ``.nii.gz``, ``.mgz`` or ``.mgh`` file.
    voxel_sizes : sequence of 3 float, optional
        Voxel sizes in mm to use instead of the header's (for files whose header is
        wrong); the affine is kept for the output.
    max_memory_bytes : int or None
        Refuse grids whose depth run would need more memory than this (estimated from
        the header before any data is read); ``None``: no limit.

    Returns
    -------
    Segmentation

    Raises
    ------
    InputError
        When the file is missing, has another extension, cannot be read as such,
        declares a grid too large for the memory limit, or has a zero voxel size or
        voxel sizes that disagree between pixdim and sform/qform.
    """
    path = Path(path)
    if _suffix(path, SEGMENTATION_SUFFIXES) is None:
        raise InputError(f"{path.name} is not a NIfTI (.nii, .nii.gz) or MGZ (.mgz, .mgh) file")
    if not path.is_file():
        raise InputError(f"the segmentation file {path} does not exist")
    if voxel_sizes is not None:
        voxel_sizes = tuple(float(s) for s in validate_voxel_sizes(voxel_sizes))
    try:
        image = nib.load(path)
        if not isinstance(image, (nib.Nifti1Image, nib.Nifti2Image, nib.MGHImage)):
            raise InputError(f"{path.name} is a {type(image).__name__}, not a NIfTI or MGZ image")
        spatial = check_grid(image, path.name, max_memory_bytes)
        if voxel_sizes is None:
            voxel_sizes = header_voxel_sizes(image, path, path.name, dims=len(spatial))
        labels = np.asanyarray(image.dataobj)
    except InputError:
        raise
    except (
        nib.filebasedimages.ImageFileError,
        OSError,
        EOFError,
        ValueError,
        zlib.error,
        gzip.BadGzipFile,
        nib.spatialimages.HeaderDataError,
    ) as exc:
        raise InputError(f"{path.name} could not be read as a NIfTI or MGZ image: {exc}") from None
    return Segmentation(
        labels=labels,
        affine=np.asarray(image.affine, dtype=np.float64),
        voxel_sizes=voxel_sizes,
        header=image.header,
    )


def save_depth_map(path, data, affine, *, product="equivolumetric", reference_header=None) -> Path:
    """Write a map as float32 NIfTI (the quality map: uint8) with cal_min/cal_max and intent 1001.

    Parameters
    ----------
    path : str or Path
        Output file ending in ``.nii`` or ``.nii.gz``.
    data : ndarray, 3D
        The map.
    affine : ndarray, (4, 4)
        Voxel to world transform (the segmentation's).
    product : str
        One of :data:`PRODUCTS`; sets the intent name (``Equivol. depth`` for the
        equivolumetric depth) and the display range (0-1, thickness 0-max).
    reference_header : nibabel header, optional
        Header of the segmentation; a NIfTI header's qform/sform codes and spatial
        units are kept.

    Returns
    -------
    Path
    """
    path = Path(path)
    if _suffix(path, MAP_SUFFIXES) is None:
        raise InputError(f"the output file {path.name} must end in .nii or .nii.gz")
    if product not in INTENT_NAMES:
        raise InputError(f"unknown depth product {product!r}; choose from {list(INTENT_NAMES)}")
    dtype = _PRODUCT_DTYPES.get(product, np.float32)
    data = np.asarray(data, dtype=dtype)
    header = None
    if isinstance(reference_header, nib.Nifti1Header):
        header = nib.Nifti1Header()
        header.set_xyzt_units(*reference_header.get_xyzt_units())
    image = nib.Nifti1Image(data, affine, header=header)
    if isinstance(reference_header, nib.Nifti1Header):
        image.set_qform(reference_header.get_qform(), code=int(reference_header["qform_code"]))
        image.set_sform(reference_header.get_sform(), code=int(reference_header["sform_code"]))
        if int(reference_header["qform_code"]) == 0 and int(reference_header["sform_code"]) == 0:
            image.set_sform(affine, code=1)
    else:
        image.header.set_xyzt_units("mm")
    image.header.set_data_dtype(dtype)
    image.header.set_intent("estimate", name=INTENT_NAMES[product])
    cal_min, cal_max = 0.0, 1.0
    if product == "quality":
        cal_max = 15.0
    elif product == "layers":
        cal_max = float(data.max())
    elif product in ("thickness", "curvature", "boundaries", "profiles"):
        finite = data[np.isfinite(data)]
        cal_max = float(finite.max()) if finite.size else 0.0
        if product not in ("thickness",):
            cal_min = float(finite.min()) if finite.size else 0.0
    image.header["cal_min"] = cal_min
    image.header["cal_max"] = cal_max
    image.header["descrip"] = f"cortico {product}".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(image, path)
    return path


def side_product_path(out_path, product) -> Path:
    """``depth.nii.gz`` -> ``depth_<product>.nii.gz`` next to it."""
    out_path = Path(out_path)
    suffix = _suffix(out_path, MAP_SUFFIXES) or ""
    stem = out_path.name[: len(out_path.name) - len(suffix)]
    return out_path.with_name(f"{stem}_{product}{suffix}")


def depth_map_from_file(
    in_path,
    out_path,
    *,
    label_mapping=None,
    also=(),
    voluba_compatible=False,
    voxel_sizes=None,
    max_memory_bytes=DEFAULT_MAX_MEMORY_BYTES,
    max_path_mm=None,
    smoothing_mm=SMOOTHING_SIGMA_MM,
    cut_faces="extend",
    layers=None,
    profile_path=None,
    profile_samples=10,
    progress=None,
) -> DepthFiles:
    """Compute the equivolumetric depth of a segmentation file and write it.

    Parameters
    ----------
    in_path : str or Path
        Segmentation (NIfTI or MGZ).
    out_path : str or Path
        Depth map to write (``.nii`` or ``.nii.gz``), on the input grid and affine.
    label_mapping : LabelMapping or dict, optional
        See :func:`~cortico.depth.compute_depth`.
    also : sequence of str
        Side products to write next to ``out_path`` as ``<name>_<product>.nii.gz``:
        any of ``"laplace"``, ``"equidistant"``, ``"thickness"``, ``"quality"``,
        ``"curvature"``.
    voluba_compatible : bool
        Undefined voxels 0.5 and values clipped to [0, 1].
    voxel_sizes : sequence of 3 float, optional
        Voxel sizes in mm overriding the header's (see :func:`load_segmentation`).
    max_memory_bytes : int or None
        Memory limit checked from the header before the data is read.
    max_path_mm, smoothing_mm, cut_faces, layers
        See :func:`~cortico.depth.compute_depth` (path limit ``None`` = adaptive). With
        ``layers`` the layer labels and boundary level sets (4D) are written as
        ``<name>_layers`` and ``<name>_boundaries``.
    profile_path : str or Path, optional
        An intensity image on the segmentation's grid (NIfTI/MGZ): its samples at
        ``profile_samples`` depths along each flow line are written as
        ``<name>_profiles`` (4D, pial first).
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    DepthFiles
    """
    also = tuple(also)
    side = [p for p in PRODUCTS if p != "equivolumetric"]
    extra = [p for p in also if p not in side]
    if extra:
        raise InputError(f"unknown side products {extra}; choose from {', '.join(side)}")
    out_path = Path(out_path)
    if _suffix(out_path, MAP_SUFFIXES) is None:
        raise InputError(f"the output file {out_path.name} must end in .nii or .nii.gz")
    segmentation = load_segmentation(in_path, voxel_sizes=voxel_sizes, max_memory_bytes=max_memory_bytes)
    profile_image = None
    if profile_path is not None:
        profile = load_segmentation(
            profile_path, voxel_sizes=segmentation.voxel_sizes, max_memory_bytes=max_memory_bytes
        )
        if not np.allclose(profile.affine, segmentation.affine, atol=1e-4):
            raise InputError(
                f"the profile image {Path(profile_path).name} is not on the segmentation's grid (affines differ)"
            )
        profile_image = profile.labels
    result = compute_depth(
        segmentation.labels,
        segmentation.voxel_sizes,
        label_mapping=label_mapping,
        products=("equivolumetric", *also),
        voluba_compatible=voluba_compatible,
        max_path_mm=max_path_mm,
        smoothing_mm=smoothing_mm,
        cut_faces=cut_faces,
        layers=layers,
        profile_image=profile_image,
        profile_samples=profile_samples,
        progress=progress,
    )
    written = {}
    extra = (("layers", "boundaries") if layers else ()) + (("profiles",) if profile_image is not None else ())
    for product in ("equivolumetric", *also, *extra):
        target = out_path if product == "equivolumetric" else side_product_path(out_path, product)
        data = getattr(result, product)
        if product in ("boundaries", "profiles") and data.ndim == 3:  # a 2-D section: keep x, y, (z), boundary
            data = data[:, :, None, :]
        written[product] = save_depth_map(
            target,
            data,
            segmentation.affine,
            product=product,
            reference_header=segmentation.header,
        )
    return DepthFiles(paths=written, result=result)
