"""Non-linear alignment of a cortical patch to the template by its depth map."""

import tempfile
import time

import numpy as np

from cortico.align._fields import compose, grid_points, sample, to_ants
from cortico.align._geometry import Grid, check_geometry
from cortico.align._inputs import (
    check_depth_map,
    check_same_grid,
    load_image,
    parse_landmark_pairs,
    parse_matrix,
)
from cortico.align._landmarks import landmark_field
from cortico.align._presets import DEFAULT_PRESET, PRESETS
from cortico.align._quality import quality_summary
from cortico.align._registration import run_syn
from cortico.align._result import AlignmentResult
from cortico.align._spaces import RAS_TO_LPS, apply_affine, incoming_space_to_lps
from cortico.exceptions import InputError


def align_patch(
    incoming_image,
    incoming_depth,
    template_depth,
    matrix,
    landmark_pairs=None,
    *,
    preset=DEFAULT_PRESET,
    incoming_space="neuroglancer",
    progress=None,
) -> AlignmentResult:
    """Align an incoming cortical patch to the template through their depth maps.

    The affine ``matrix`` initialises a SyN registration of the template depth map
    (moving) onto the incoming depth map (fixed) with a MeanSquares metric, as the
    cortical-voluba backend did. Active landmark pairs, if any, first bend the
    initial transform by a smooth B-spline fit of their displacements: depth alone
    cannot see motion along the layers.

    Parameters
    ----------
    incoming_image : ants.ANTsImage, nibabel image, (array, affine) or path
        The patch to align (any scalar volume).
    incoming_depth : ants.ANTsImage, nibabel image, (array, affine) or path
        Its equivolumetric depth map (0 pial .. 1 white) on the same voxel grid.
    template_depth : ants.ANTsImage, nibabel image, (array, affine) or path
        The template's depth map, e.g. ``cortico.depth.template_depth_map()``.
    matrix : array-like
        4x4 (or 3x4) affine from incoming space to template RAS (mm), row-major.
    landmark_pairs : list of dict, optional
        ``{"source_point": template mm, "target_point": incoming mm,
        "active": True, "name": ...}``; unknown keys are ignored, inactive pairs
        are dropped.
    preset : {"fast", "voluba"}
        ``"voluba"`` runs the original backend's exact antsRegistration arguments;
        ``"fast"`` (default) is much quicker at equal accuracy.
    incoming_space : {"neuroglancer", "seed", "world"}
        Meaning of incoming coordinates: Neuroglancer's (voxel ``i`` centred at
        ``(i + 0.5) * voxel_size``, VoluBA's), the original backend's (``i *
        voxel_size``) or the incoming image's NIfTI RAS world.
    progress : callable, optional
        ``progress(fraction, message)`` called as the work advances. An exception it
        raises (e.g. :class:`~cortico.exceptions.JobCancelled`) stops the alignment
        at that step and leaves no scratch file behind.

    Returns
    -------
    AlignmentResult

    Raises
    ------
    InputError
        Malformed matrix, landmark pairs, preset, images or depth values.
    """
    report_progress = progress or (lambda fraction, message: None)
    if preset not in PRESETS:
        raise InputError(f"unknown alignment preset {preset!r}: expected one of {', '.join(sorted(PRESETS))}")
    user_matrix = parse_matrix(matrix)
    landmarks = parse_landmark_pairs(landmark_pairs)
    timings = {}
    start = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="cortico-align-") as work_dir:
        report_progress(0.0, "reading the images")
        image = load_image(incoming_image, "incoming image", work_dir)
        fixed = load_image(incoming_depth, "incoming depth map", work_dir)
        moving = load_image(template_depth, "template depth map", work_dir)
        check_same_grid(image, fixed)
        check_depth_map(fixed, "incoming depth map")
        check_depth_map(moving, "template depth map")
        check_geometry(Grid.from_ants(fixed), user_matrix, landmarks, incoming_space, Grid.from_ants(moving))

        space_to_lps = incoming_space_to_lps(fixed, incoming_space)
        affine = RAS_TO_LPS @ user_matrix @ np.linalg.inv(space_to_lps)
        incoming_lps = apply_affine(space_to_lps, landmarks.incoming_points)
        template_lps = apply_affine(RAS_TO_LPS, landmarks.template_points)

        landmark_path = None
        landmark_forward = landmark_inverse = None
        landmark_fit = None
        if len(landmarks):
            report_progress(0.05, "fitting the landmarks")
            tic = time.perf_counter()
            landmark_forward, landmark_inverse, landmark_fit = landmark_field(
                fixed, incoming_lps, template_lps, affine, landmarks.names
            )
            landmark_path = f"{work_dir}/landmark_warp.nii"
            to_ants(landmark_forward, fixed).to_file(landmark_path)
            timings["landmarks_s"] = time.perf_counter() - tic

        report_progress(0.1, "computing alignment")
        tic = time.perf_counter()
        syn_forward, syn_inverse = run_syn(
            preset,
            fixed,
            moving,
            affine,
            work_dir,
            landmark_path,
            progress=lambda fraction, step: report_progress(0.1 + 0.7 * fraction, f"computing alignment: {step}"),
        )
        timings["registration_s"] = time.perf_counter() - tic

    report_progress(0.8, "composing the transforms")
    if landmark_forward is None:
        forward, inverse = syn_forward, syn_inverse
    else:
        forward = compose(syn_forward, landmark_forward, fixed)
        inverse = compose(landmark_inverse, syn_inverse, fixed)

    report_progress(0.85, "resampling the image")
    tic = time.perf_counter()
    resampled = _resample_on_own_grid(image, inverse, fixed)
    timings["resampling_s"] = time.perf_counter() - tic

    report_progress(0.95, "measuring the alignment quality")
    report = {
        "preset": preset,
        "incoming_space": incoming_space,
        "landmarks": {
            **_landmark_report(landmarks, incoming_lps, template_lps, affine, forward, fixed),
            **(landmark_fit or {}),
        },
        "depth": _depth_report(fixed, moving, affine, forward),
    }
    report["quality"] = quality_summary(report["landmarks"], report["depth"])
    timings["total_s"] = time.perf_counter() - start
    report["timings"] = {key: round(value, 3) for key, value in timings.items()}
    report_progress(1.0, "done")
    return AlignmentResult(
        resampled_image=resampled,
        matrix=user_matrix,
        incoming_space=incoming_space,
        incoming_space_to_lps=space_to_lps,
        affine=affine,
        forward_warp=forward,
        inverse_warp=inverse,
        reference=fixed,
        report=report,
    )


def _resample_on_own_grid(image, inverse, reference):
    """The seed's output: the image pulled through the inverse warp only, on its own grid."""
    import ants

    with tempfile.TemporaryDirectory(prefix="cortico-resample-") as work_dir:
        path = f"{work_dir}/inverse_warp.nii.gz"
        to_ants(inverse, reference).to_file(path)
        return ants.apply_transforms(
            fixed=image,
            moving=image,
            transformlist=[path],
            whichtoinvert=[False],
            interpolator="linear",
            defaultvalue=0,
        )


def _landmark_report(landmarks, incoming_lps, template_lps, affine, forward, reference):
    before = apply_affine(affine, incoming_lps)
    after = apply_affine(affine, incoming_lps + sample(forward, reference, incoming_lps))
    residual_before = np.linalg.norm(before - template_lps, axis=1)
    residual_after = np.linalg.norm(after - template_lps, axis=1)
    return {
        "count": len(landmarks),
        "pairs": [
            {"name": name, "residual_before_mm": round(float(b), 4), "residual_after_mm": round(float(a), 4)}
            for name, b, a in zip(landmarks.names, residual_before, residual_after, strict=True)
        ],
        "mean_residual_before_mm": _mean(residual_before),
        "mean_residual_after_mm": _mean(residual_after),
    }


def _depth_report(fixed, moving, affine, forward):
    """Mean squared depth difference over the incoming cortex (0 < depth < 1)."""
    incoming = fixed.numpy()
    cortex = (incoming > 0) & (incoming < 1)
    points = grid_points(fixed)[cortex]
    template = moving.numpy()
    before = sample(template, moving, apply_affine(affine, points))
    after = sample(template, moving, apply_affine(affine, points + forward[cortex]))
    return {
        "cortex_voxels": int(cortex.sum()),
        "mean_squared_difference_before": _mean((before - incoming[cortex]) ** 2, 6),
        "mean_squared_difference_after": _mean((after - incoming[cortex]) ** 2, 6),
    }


def _mean(values, digits=4):
    return round(float(np.mean(values)), digits) if len(values) else None
