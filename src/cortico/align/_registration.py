"""One in-process antsRegistration run (antspyx's raw interface)."""

import os

import numpy as np

from cortico.align._presets import registration_arguments
from cortico.exceptions import DependencyError


def write_itk_affine(matrix, path):
    """Write a 4x4 LPS affine (point map) as an ITK ``AffineTransform`` file (.mat or .txt)."""
    import ants

    transform = ants.create_ants_transform(
        transform_type="AffineTransform",
        dimension=3,
        matrix=np.asarray(matrix[:3, :3], dtype=float),
        translation=np.asarray(matrix[:3, 3], dtype=float),
    )
    ants.write_transform(transform, path)


def run_syn(preset, fixed, moving, incoming_to_template_lps, work_dir, landmark_field_path=None):
    """Run the SyN stage of a preset, initialised by the affine (and the landmark field).

    The affine is written as template -> incoming and passed inverted, as the
    cortical-voluba backend did, so that the ``voluba`` preset's argument list is
    the original one. The composite fixed -> moving point map of the outputs is
    ``x -> affine(landmarks(syn(x)))``.

    Parameters
    ----------
    preset : str
        Preset name.
    fixed, moving : ants.ANTsImage
        Incoming depth map, template depth map.
    incoming_to_template_lps : numpy.ndarray
        4x4 LPS affine.
    work_dir : str
        Private scratch folder for ANTs' files.
    landmark_field_path : str, optional
        ITK displacement field applied before the affine.

    Returns
    -------
    forward, inverse : numpy.ndarray
        The SyN displacement field and its inverse on the fixed grid (LPS mm).
    """
    import ants
    from ants.internal import get_lib_fn, get_pointer_string

    affine_path = os.path.join(work_dir, "template_to_incoming_affine.mat")
    write_itk_affine(np.linalg.inv(incoming_to_template_lps), affine_path)
    initial = [f"[{affine_path},1]"]
    if landmark_field_path is not None:
        # antsRegistration applies the last initial transform first.
        initial = [landmark_field_path] + initial
    prefix = os.path.join(work_dir, "cortical")
    arguments = registration_arguments(preset, get_pointer_string(fixed), get_pointer_string(moving), initial, prefix)
    status = get_lib_fn("antsRegistration")(arguments)
    stage = 2 if landmark_field_path is not None else 1
    warp_path, inverse_path = f"{prefix}{stage}Warp.nii.gz", f"{prefix}{stage}InverseWarp.nii.gz"
    if status != 0 or not (os.path.exists(warp_path) and os.path.exists(inverse_path)):
        raise DependencyError(f"antsRegistration failed (exit status {status}); check the antspyx installation")
    return (
        ants.image_read(warp_path).numpy().astype(np.float32),
        ants.image_read(inverse_path).numpy().astype(np.float32),
    )
