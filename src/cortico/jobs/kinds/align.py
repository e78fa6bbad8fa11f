"""Job kind ``align``: non-linear alignment of a cortical patch to the template.

Inputs come from an image service (the incoming image and its depth map), the
template depth map from ``TEMPLATE_DEPTH_PATH`` or fsaverage. The resampled
image goes back to the image service as ``<image>-transformed-<UTC time>.nii.gz``
(as the cortical-voluba backend named it); the warps, the affine, the composite
transform and the quality report stay in the job's ``outputs/`` folder. An
alignment that made the depth agreement worse fails (nothing is uploaded).
"""

from pathlib import Path

from cortico.align import (
    DEFAULT_PRESET,
    INCOMING_SPACES,
    OUTPUT_FILES,
    PRESETS,
    parse_landmark_pairs,
    parse_matrix,
)
from cortico.exceptions import DependencyError, InputError
from cortico.jobs import JobKind, register_kind
from cortico.jobs.kinds._image_access import (
    open_image_service,
    release_image_service,
    upload_unique,
    validate_name,
    validate_service,
)

__all__ = ["KIND", "OUTPUT_FOLDER", "output_path"]

#: Sub-folder of the job folder holding the alignment's files (names: cortico.align.OUTPUT_FILES).
OUTPUT_FOLDER = "outputs"

_PAIR_KEYS = ("source_point", "target_point", "active", "name")


def validate(params):
    """Check the names, the incoming -> template matrix, the landmark pairs and the options.

    Landmark pairs keep only ``source_point``, ``target_point``, ``active`` and
    ``name`` (other keys, e.g. VoluBA's ``colour``, are dropped).
    """
    checked = validate_service(params)
    checked["image_name"] = validate_name(params, "image_name")
    checked["depth_map_name"] = validate_name(params, "depth_map_name")
    matrix = params.get("transformation_matrix")
    if matrix is None:
        raise InputError("transformation_matrix is required: the 4x4 incoming -> template affine (mm)")
    checked["transformation_matrix"] = parse_matrix(matrix).tolist()
    pairs = params.get("landmark_pairs") or []
    if not isinstance(pairs, list):
        raise InputError(f"landmark_pairs must be a list, got {type(pairs).__name__}")
    parse_landmark_pairs(pairs)
    checked["landmark_pairs"] = [{key: pair[key] for key in _PAIR_KEYS if key in pair} for pair in pairs]
    preset = params.get("preset", DEFAULT_PRESET)
    if preset not in PRESETS:
        raise InputError(f"preset must be one of {', '.join(sorted(PRESETS))}, got {preset!r}")
    checked["preset"] = preset
    space = params.get("incoming_space", "neuroglancer")
    if space not in INCOMING_SPACES:
        raise InputError(f"incoming_space must be one of {', '.join(INCOMING_SPACES)}, got {space!r}")
    checked["incoming_space"] = space
    return checked


def output_path(job_folder, role):
    """Path of an alignment output (``role`` a key of ``cortico.align.OUTPUT_FILES``)."""
    return Path(job_folder) / OUTPUT_FOLDER / OUTPUT_FILES[role]


def template_depth_path(settings, progress):
    """The configured template depth map, or fsaverage's (computed and cached on first use)."""
    configured = settings.get("TEMPLATE_DEPTH_PATH")
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise DependencyError(
                f"The template depth map {configured} (TEMPLATE_DEPTH_PATH) does not exist on this worker."
            )
        return path
    from cortico.depth import template_depth_map

    return template_depth_map(progress=progress)


def run(context, params):
    """Download the inputs, align, store the outputs and upload the resampled image."""
    try:
        service = open_image_service(context, params)
        context.progress(0.0, 1, "downloading depth map", force=True)
        depth = service.fetch(params["depth_map_name"], context.folder / "incoming-depth.nii.gz")
        context.progress(0.03, 1, "downloading image", force=True)
        image = service.fetch(params["image_name"], context.folder / "incoming-image.nii.gz")

        context.progress(0.06, 1, "preparing the template depth map", force=True)
        template = template_depth_path(
            context.runtime.settings,
            lambda fraction, _stage: context.progress(0.06 + 0.04 * fraction, 1, "preparing the template depth map"),
        )

        def report(fraction, message):
            context.progress(0.1 + 0.8 * fraction, 1, message)

        from cortico.align import align_patch  # scipy and ANTs: in the worker only, not in the web app

        result = align_patch(
            image,
            depth,
            template,
            params["transformation_matrix"],
            params["landmark_pairs"],
            preset=params["preset"],
            incoming_space=params["incoming_space"],
            progress=report,
        )
        outputs = context.folder / OUTPUT_FOLDER
        outputs.mkdir(exist_ok=True)
        paths = result.save(outputs)
        quality = result.report["quality"]
        if quality["depth_agreement"] == "worse":
            raise InputError(f"The alignment cannot be right: {quality['warnings'][0]}. Nothing was uploaded.")

        context.progress(0.92, 1, "uploading the resampled image", force=True)
        stem = f"{params['image_name']}-transformed"
        name, entry = upload_unique(service, paths["resampled_image"], stem, timestamped=True)
        return {
            "image_service_base_url": service.base_url,
            "transformed_image_name": name,
            "transformed_image_neuroglancer_url": service.neuroglancer_url(entry),
            "transformation_matrix": params["transformation_matrix"],
            "outputs": {role: Path(path).name for role, path in paths.items()},
            "quality": quality,
            "report": result.report,
        }
    finally:
        release_image_service(context)


KIND = register_kind(
    JobKind(
        "align",
        run,
        validate,
        "Non-linear alignment of a cortical patch (image + depth map + affine + landmarks) to the template.",
    )
)
