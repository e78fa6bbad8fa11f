"""antsRegistration stages of each alignment preset.

``voluba`` is the cortical-voluba backend's exact argument list; ``fast`` (the
default) reaches the same accuracy on the synthetic patch in a fraction of the
time (see docs/alignment.md for the measurements).
"""

from cortico.exceptions import InputError

PRESETS = {
    "voluba": {
        "transform": "SyN[0.1,3,0]",
        "convergence": "[500x500x500,1e-6,10]",
        "shrink_factors": "4x2x1",
        "smoothing_sigmas": "2x1x0vox",
    },
    # Depth maps are smooth: the field is found on the 4x and 2x shrunk grids and
    # interpolated to the full grid (cortico.align._registration), the full-resolution
    # level of the seed costs most of its time for no measurable gain.
    "fast": {
        "transform": "SyN[0.3,3,0]",
        "convergence": "[100x10,1e-6,10]",
        "shrink_factors": "4x2",
        "smoothing_sigmas": "1x0vox",
    },
}

DEFAULT_PRESET = "fast"


def registration_arguments(preset, fixed, moving, initial_transforms, output_prefix):
    """Build the antsRegistration argument list of a preset.

    Parameters
    ----------
    preset : str
        A key of :data:`PRESETS`.
    fixed, moving : str
        Image references understood by antsRegistration (file names or ANTs
        pointer strings): the incoming depth map and the template depth map.
    initial_transforms : list of str
        ``--initial-moving-transform`` values; the last one is applied first to a
        fixed-space point.
    output_prefix : str
        Prefix of the output transform files.

    Returns
    -------
    list of str
    """
    try:
        stage = PRESETS[preset]
    except KeyError:
        raise InputError(f"unknown alignment preset {preset!r}: expected one of {', '.join(sorted(PRESETS))}") from None
    arguments = ["--float", "1", "--dimensionality", "3"]
    for transform in initial_transforms:
        arguments += ["--initial-moving-transform", transform]
    arguments += [
        "--metric", f"MeanSquares[{fixed},{moving}{stage.get('metric_options', '')}]",
        "--transform", stage["transform"],
        "--convergence", stage["convergence"],
        "--shrink-factors", stage["shrink_factors"],
        "--smoothing-sigmas", stage["smoothing_sigmas"],
        "--output", output_prefix,
    ]  # fmt: skip
    return arguments
