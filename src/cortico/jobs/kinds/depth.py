"""Job kind ``depth``: a segmentation in an image service -> its equivolumetric depth map.

The depth map is uploaded next to the segmentation as
``<segmentation>-equivolumetric-depth.nii.gz`` (with a UTC time stamp when that name
is taken), as the cortical-voluba backend did.
"""

from cortico.depth import LabelMapping
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
    """Check ``segmentation_name``, the image service and the optional ``labels`` mapping.

    ``labels`` is ``{"cortex": [...], "white": [...], "outside": [...]}``; the default
    is cortical-voluba's classification (0 outside, 100 cortex, 200 white).
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
    return checked


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

        from cortico.depth import depth_map_from_file  # numba: in the worker only, not in the web app

        try:
            written = depth_map_from_file(
                segmentation, depth_path, label_mapping=params.get("labels"), voluba_compatible=True, progress=report
            )
        except InputError as exc:
            raise InputError(f"The segmentation {name!r} cannot be used: {exc.message}", exc.problems) from None

        context.progress(0.9, 1, "uploading the depth map", force=True)
        depth_name, entry = upload_unique(service, depth_path, f"{name}-equivolumetric-depth")
        summary = written.result
        return {
            "image_service_base_url": service.base_url,
            "depth_map_name": depth_name,
            "depth_map_neuroglancer_url": service.neuroglancer_url(entry),
            "cortex_voxels": summary.cortex_voxels,
            "undefined_voxels": summary.undefined_voxels,
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
