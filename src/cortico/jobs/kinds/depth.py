"""Job kind ``depth``: a segmentation in an image service -> its equivolumetric depth map.

The depth map is uploaded next to the segmentation as
``<segmentation>-equivolumetric-depth.nii.gz`` (with a UTC time stamp when that name
is taken), as the cortical-voluba backend did. The job fails, naming the likely cause,
when more cortex voxels than ``DEPTH_MAX_UNDEFINED_FRACTION`` (default 1 %) have no
depth, and refuses grids needing more than ``DEPTH_MAX_MEMORY_BYTES`` before reading them.
"""

import math

from cortico.depth import DEFAULT_MAX_MEMORY_BYTES, MAX_UNDEFINED_FRACTION, LabelMapping, undefined_problem
from cortico.exceptions import InputError
from cortico.jobs import JobKind, register_kind
from cortico.jobs.kinds._image_access import (
    open_image_service,
    release_image_service,
    upload_unique,
    validate_name,
    validate_service,
)

__all__ = ["KIND"]


def validate(params):
    """Check ``segmentation_name``, the image service and the optional parameters.

    ``labels`` is ``{"cortex": [...], "white": [...], "outside": [...]}``; the default
    is cortical-voluba's classification (0 outside, 100 cortex, 200 white).
    ``max_path_mm`` (default: adaptive), ``smoothing_mm`` (1), ``voxel_size``
    (three mm, overriding the header) and ``cut_faces`` tune the engine; ``layers``
    (N) also uploads the N equivolume layers as ``<segmentation>-equivolumetric-layers``.
    """
    checked = validate_service(params)
    checked["segmentation_name"] = validate_name(params, "segmentation_name")
    labels = params.get("labels")
    if labels is not None:
        if not isinstance(labels, dict) or set(labels) - {"cortex", "white", "outside"}:
            raise InputError(
                f"labels must be an object with the keys cortex, white and optionally outside, got {labels!r}"
            )
        mapping = LabelMapping.coerce(labels)
        labels = {
            "cortex": list(mapping.cortex),
            "white": list(mapping.white),
            "outside": None if mapping.outside is None else list(mapping.outside),
        }
    checked["labels"] = labels
    checked["max_path_mm"] = _optional_number(params, "max_path_mm", 0.0, 1000.0)
    smoothing = _optional_number(params, "smoothing_mm", 0.0, 10.0, low_open=False)
    checked["smoothing_mm"] = 1.0 if smoothing is None else smoothing
    voxel_size = params.get("voxel_size")
    if voxel_size is not None:
        if not isinstance(voxel_size, (list, tuple)) or len(voxel_size) != 3:
            raise InputError(f"voxel_size must be a list of three sizes in mm, got {voxel_size!r}")
        voxel_size = [_number(v, "voxel_size", 0.001, 10.0) for v in voxel_size]
    checked["voxel_size"] = voxel_size
    cut_faces = params.get("cut_faces", "extend")
    if cut_faces not in ("extend", "zero-flux"):
        raise InputError(f"cut_faces must be 'extend' or 'zero-flux', got {cut_faces!r}")
    checked["cut_faces"] = cut_faces
    layers = params.get("layers")
    if layers is not None and (isinstance(layers, bool) or not isinstance(layers, int) or not 2 <= layers <= 100):
        raise InputError(f"layers must be a whole number from 2 to 100, got {layers!r}")
    checked["layers"] = layers
    return checked


def _number(value, name, low, high, low_open=True):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{name} must be a number in mm, got {value!r}")
    if value > high or value < low or (low_open and value == low):
        raise InputError(f"{name} must lie in {'(' if low_open else '['}{low}, {high}] mm, got {value!r}")
    return float(value)


def _optional_number(params, name, low, high, low_open=True):
    value = params.get(name)
    return None if value is None else _number(value, name, low, high, low_open)


def run(context, params):
    """Download the segmentation, compute its depth map, upload it; returns the seed's results."""
    try:
        service = open_image_service(context, params)
        name = params["segmentation_name"]
        context.progress(0.0, 1, "downloading segmentation", force=True)
        segmentation = service.fetch(name, context.folder / "segmentation.nii.gz")

        context.progress(0.05, 1, "computing the depth map", force=True)
        depth_path = context.folder / "equivolumetric-depth.nii.gz"

        def report(fraction, _stage):
            context.progress(0.05 + 0.85 * fraction, 1, "computing the depth map")

        settings = context.runtime.settings
        from cortico.depth import depth_map_from_file  # numba: in the worker only, not in the web app

        try:
            written = depth_map_from_file(
                segmentation,
                depth_path,
                label_mapping=params.get("labels"),
                voluba_compatible=True,
                voxel_sizes=params.get("voxel_size"),
                max_memory_bytes=settings.get("DEPTH_MAX_MEMORY_BYTES") or DEFAULT_MAX_MEMORY_BYTES,
                max_path_mm=params.get("max_path_mm"),
                smoothing_mm=params.get("smoothing_mm", 1.0),
                cut_faces=params.get("cut_faces", "extend"),
                layers=params.get("layers"),
                progress=report,
            )
        except InputError as exc:
            raise InputError(f"The segmentation {name!r} cannot be used: {exc.message}", exc.problems) from None
        summary = written.result
        limit = settings.get("DEPTH_MAX_UNDEFINED_FRACTION")
        problem = undefined_problem(summary, MAX_UNDEFINED_FRACTION if limit is None else float(limit))
        if problem:
            raise InputError(f"The depth map of {name!r} is not usable: {problem}")

        context.progress(0.9, 1, "uploading the depth map", force=True)
        depth_name, entry = upload_unique(service, depth_path, f"{name}-equivolumetric-depth")
        details = summary.details
        extra = {}
        if params.get("layers"):
            layers_name, layers_entry = upload_unique(
                service, written.paths["layers"], f"{name}-equivolumetric-layers", segmentation=True
            )
            extra = {"layers_name": layers_name, "layers_neuroglancer_url": service.neuroglancer_url(layers_entry)}
        return {
            "image_service_base_url": service.base_url,
            "depth_map_name": depth_name,
            "depth_map_neuroglancer_url": service.neuroglancer_url(entry),
            "cortex_voxels": summary.cortex_voxels,
            "undefined_voxels": summary.undefined_voxels,
            "undefined_fraction": summary.undefined_fraction,
            "voxel_size_mm": list(summary.voxel_sizes),
            "estimated_thickness_mm": details["estimated_thickness_mm"],
            "path_limit_mm": details["path_limit_mm"],
            "cut_face_voxels": details["cut_face_voxels"],
            "laplace_converged": details["laplace_converged"],
            "warnings": list(summary.warnings),
            **extra,
        }
    finally:
        release_image_service(context)


KIND = register_kind(
    JobKind(
        "depth",
        run,
        validate,
        "Equivolumetric depth map of a cortical segmentation (0 outside, 100 cortex, 200 white) in an image service.",
    )
)
