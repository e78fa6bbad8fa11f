"""Reading segmentations (NIfTI/MGZ) and writing depth maps (NIfTI) with nibabel."""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np

from cortico.depth._engine import PRODUCTS, DepthResult, compute_depth
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
}

_UNIT_TO_MM = {"mm": 1.0, "unknown": 1.0, "meter": 1000.0, "micron": 1e-3}


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


def load_segmentation(path) -> Segmentation:
    """Read a segmentation from a NIfTI-1/2 or MGH/MGZ file.

    Parameters
    ----------
    path : str or Path
        ``.nii``, ``.nii.gz``, ``.mgz`` or ``.mgh`` file.

    Returns
    -------
    Segmentation

    Raises
    ------
    InputError
        When the file is missing, has another extension or cannot be read as such.
    """
    path = Path(path)
    if _suffix(path, SEGMENTATION_SUFFIXES) is None:
        raise InputError(f"{path.name} is not a NIfTI (.nii, .nii.gz) or MGZ (.mgz, .mgh) file")
    if not path.is_file():
        raise InputError(f"the segmentation file {path} does not exist")
    try:
        image = nib.load(path)
        if not isinstance(image, (nib.Nifti1Image, nib.Nifti2Image, nib.MGHImage)):
            raise InputError(f"{path.name} is a {type(image).__name__}, not a NIfTI or MGZ image")
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
    scale = 1.0
    if isinstance(image, (nib.Nifti1Image, nib.Nifti2Image)):
        unit = image.header.get_xyzt_units()[0]
        scale = _UNIT_TO_MM.get(unit, 1.0)
    zooms = image.header.get_zooms()[:3]
    if len(zooms) < 3:
        raise InputError(f"{path.name} holds {len(zooms)}D data; expected a 3D label volume")
    return Segmentation(
        labels=labels,
        affine=np.asarray(image.affine, dtype=np.float64),
        voxel_sizes=tuple(float(z) * scale for z in zooms),
        header=image.header,
    )


def save_depth_map(path, data, affine, *, product="equivolumetric", reference_header=None) -> Path:
    """Write a map as float32 NIfTI with cal_min/cal_max and intent 1001.

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
        raise InputError(f"unknown depth product {product!r}; choose from {list(PRODUCTS)}")
    data = np.asarray(data, dtype=np.float32)
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
    image.header.set_data_dtype(np.float32)
    image.header.set_intent("estimate", name=INTENT_NAMES[product])
    cal_max = 1.0
    if product == "thickness":
        finite = data[np.isfinite(data)]
        cal_max = float(finite.max()) if finite.size else 0.0
    image.header["cal_min"] = 0.0
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
    in_path, out_path, *, label_mapping=None, also=(), voluba_compatible=False, progress=None
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
        any of ``"laplace"``, ``"equidistant"``, ``"thickness"``.
    voluba_compatible : bool
        Undefined voxels 0.5 and values clipped to [0, 1].
    progress : callable, optional
        ``progress(fraction, message)``.

    Returns
    -------
    DepthFiles
    """
    also = tuple(also)
    extra = [p for p in also if p not in PRODUCTS or p == "equivolumetric"]
    if extra:
        raise InputError(f"unknown side products {extra}; choose from laplace, equidistant, thickness")
    out_path = Path(out_path)
    if _suffix(out_path, MAP_SUFFIXES) is None:
        raise InputError(f"the output file {out_path.name} must end in .nii or .nii.gz")
    segmentation = load_segmentation(in_path)
    result = compute_depth(
        segmentation.labels,
        segmentation.voxel_sizes,
        label_mapping=label_mapping,
        products=("equivolumetric", *also),
        voluba_compatible=voluba_compatible,
        progress=progress,
    )
    written = {}
    for product in ("equivolumetric", *also):
        target = out_path if product == "equivolumetric" else side_product_path(out_path, product)
        written[product] = save_depth_map(
            target,
            getattr(result, product),
            segmentation.affine,
            product=product,
            reference_header=segmentation.header,
        )
    return DepthFiles(paths=written, result=result)
