"""The verdict on a finished alignment: did it improve what it can measure?"""

#: Relative and absolute slack (mean squared depth difference) before a change counts as worse or better.
RELATIVE_TOLERANCE = 0.05
ABSOLUTE_TOLERANCE = 1e-4


def quality_summary(landmarks, depth):
    """Summarise the landmark and depth reports into a verdict with warnings.

    Parameters
    ----------
    landmarks : dict
        ``mean_residual_before_mm`` / ``mean_residual_after_mm`` (None without landmarks).
    depth : dict
        ``mean_squared_difference_before`` / ``mean_squared_difference_after`` over the
        incoming cortex (None without cortex voxels).

    Returns
    -------
    dict
        ``depth_agreement`` (``improved``, ``unchanged``, ``worse`` or ``unknown``), the
        four before/after figures and ``warnings`` (sentences).
    """
    before, after = depth.get("mean_squared_difference_before"), depth.get("mean_squared_difference_after")
    verdict = "unknown"
    if before is not None and after is not None:
        slack = RELATIVE_TOLERANCE * before + ABSOLUTE_TOLERANCE
        verdict = "worse" if after > before + slack else "improved" if after < before - slack else "unchanged"
    warnings = []
    if verdict == "worse":
        warnings.append(
            f"the depth agreement got worse: mean squared depth difference {before:g} before, {after:g} after "
            "(check the transformation matrix and the landmark pairs)"
        )
    elif verdict == "unknown":
        warnings.append("the depth agreement could not be measured: the incoming depth map has no cortex voxel")
    residual_before = landmarks.get("mean_residual_before_mm")
    residual_after = landmarks.get("mean_residual_after_mm")
    if residual_before is not None and residual_after is not None and residual_after > residual_before:
        warnings.append(
            f"the landmark residuals got worse: mean {residual_before:g} mm before, {residual_after:g} mm after "
            "(are some pairs wrong?)"
        )
    return {
        "depth_agreement": verdict,
        "depth_mean_squared_difference_before": before,
        "depth_mean_squared_difference_after": after,
        "landmark_mean_residual_before_mm": residual_before,
        "landmark_mean_residual_after_mm": residual_after,
        "warnings": warnings,
    }
