"""RAS vs LPS, transform direction and order, qform vs sform, the half-voxel offset."""

import json

import ants
import nibabel as nib
import numpy as np
import pytest

from cortico.align import RAS_TO_LPS, align_patch
from cortico.align._fields import grid_points, sample
from cortico.align._presets import registration_arguments
from cortico.align._spaces import apply_affine, incoming_space_to_lps, index_to_lps
from cortico.align._synthetic import make_synthetic_patch


def _ants_image(data, affine, tmp_path, name="image.nii.gz", qform=None):
    image = nib.Nifti1Image(data.astype(np.float32), affine)
    if qform is not None:
        image.set_qform(qform, code=1)
    path = tmp_path / name
    nib.save(image, path)
    return ants.image_read(str(path))


def test_ants_physical_space_is_lps_of_the_nifti_ras_world(tmp_path):
    affine = np.array([[-2.0, 0, 0, 10], [0, 0, 1.5, -20], [0, 3, 0, 5], [0, 0, 0, 1]])
    image = _ants_image(np.zeros((4, 5, 6)), affine, tmp_path)
    assert np.allclose(index_to_lps(image), RAS_TO_LPS @ affine)


def test_geometry_comes_from_itk_when_qform_and_sform_disagree(tmp_path):
    sform = np.diag([1.0, 1.0, 1.0, 1.0])
    qform = np.diag([2.0, 2.0, 2.0, 1.0])
    image = _ants_image(np.zeros((4, 4, 4)), sform, tmp_path, qform=qform)
    # pixdim now says 2 mm: ITK distrusts the sform's 1 mm scales and takes the qform,
    # while nibabel's .affine is the sform. cortico follows ITK, which runs the registration.
    assert nib.load(tmp_path / "image.nii.gz").affine[0, 0] == 1.0
    assert np.allclose(index_to_lps(image), RAS_TO_LPS @ qform)


@pytest.mark.parametrize(("space", "centre"), [("neuroglancer", 0.5), ("seed", 0.0)])
def test_incoming_space_puts_voxel_centres_where_its_convention_says(tmp_path, space, centre):
    affine = np.diag([-0.5, 2.0, 1.0, 1.0])
    affine[:3, 3] = [7.0, -3.0, 11.0]
    image = _ants_image(np.zeros((5, 6, 7)), affine, tmp_path)
    index = np.array([[2.0, 3.0, 4.0]])
    incoming_point = (index + centre) * [0.5, 2.0, 1.0]
    lps = apply_affine(incoming_space_to_lps(image, space), incoming_point)
    assert np.allclose(lps, apply_affine(RAS_TO_LPS @ affine, index))


def test_world_incoming_space_is_the_nifti_ras_world(tmp_path):
    image = _ants_image(np.zeros((3, 3, 3)), np.eye(4), tmp_path)
    assert np.allclose(incoming_space_to_lps(image, "world"), RAS_TO_LPS)


def test_voluba_preset_is_the_seed_argument_list():
    arguments = registration_arguments("voluba", "F", "M", ["[t2i.mat,1]"], "cortical")
    assert arguments == [
        "--float", "1", "--dimensionality", "3",
        "--initial-moving-transform", "[t2i.mat,1]",
        "--metric", "MeanSquares[F,M]",
        "--transform", "SyN[0.1,3,0]",
        "--convergence", "[500x500x500,1e-6,10]",
        "--shrink-factors", "4x2x1",
        "--smoothing-sigmas", "2x1x0vox",
        "--output", "cortical",
    ]  # fmt: skip


def test_fast_preset_arguments():
    arguments = registration_arguments("fast", "F", "M", [], "out")
    assert arguments[arguments.index("--transform") + 1] == "SyN[0.3,3,0]"
    assert arguments[arguments.index("--convergence") + 1] == "[100x10,1e-6,10]"
    assert arguments[arguments.index("--shrink-factors") + 1] == "4x2"
    assert arguments[arguments.index("--smoothing-sigmas") + 1] == "1x0vox"


def test_saved_transforms_reproduce_the_map_in_ants(patch, with_landmarks, tmp_path):
    """antsApplyTransforms with [forward_warp, affine] (point order) or the composite
    samples the template where ``map_to_template`` says."""
    paths = with_landmarks.save(tmp_path)
    fixed = with_landmarks.reference
    nib.save(patch.template_depth, tmp_path / "template_depth.nii.gz")
    template = ants.image_read(str(tmp_path / "template_depth.nii.gz"))
    mapped = apply_affine(with_landmarks.affine, grid_points(fixed) + with_landmarks.forward_warp)
    expected = sample(template.numpy(), template, mapped).reshape(fixed.shape)
    template_index = apply_affine(np.linalg.inv(index_to_lps(template)), mapped)
    inside = np.all((template_index > 1) & (template_index < np.array(template.shape) - 2), axis=1)
    by_list = ants.apply_transforms(
        fixed, template, [paths["forward_warp"], paths["affine"]], whichtoinvert=[False, False]
    ).numpy()
    by_composite = ants.apply_transforms(fixed, template, [paths["composite"]], whichtoinvert=[False]).numpy()
    cortex = (fixed.numpy() > 0.05) & (fixed.numpy() < 0.95) & inside.reshape(fixed.shape)
    assert np.abs(by_list - expected)[cortex].max() < 0.02
    assert np.abs(by_composite - expected)[cortex].max() < 0.02
    # The other order is a different map: the test can tell them apart.
    wrong = ants.apply_transforms(
        fixed, template, [paths["affine"], paths["forward_warp"]], whichtoinvert=[False, False]
    ).numpy()
    assert np.abs(wrong - expected)[cortex].mean() > 0.02
    report = json.loads((tmp_path / "report.json").read_text())
    assert report == with_landmarks.report


def test_saved_files_and_inverse_warp(with_landmarks, tmp_path):
    paths = with_landmarks.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["resampled.nii.gz", "incoming_to_template_affine.mat", "forward_warp.nii.gz",
         "inverse_warp.nii.gz", "incoming_to_template_composite.h5", "report.json"]
    )  # fmt: skip
    resampled = nib.load(paths["resampled_image"])
    assert resampled.shape == with_landmarks.reference.shape
    assert np.allclose(RAS_TO_LPS @ resampled.affine, index_to_lps(with_landmarks.reference), atol=1e-4)
    affine = ants.read_transform(paths["affine"])
    point = np.array([-70.0, 20.0, 30.0])
    assert np.allclose(affine.apply_to_point(point), apply_affine(with_landmarks.affine, point), atol=1e-4)
    # forward then inverse is the identity inside the patch
    fixed = with_landmarks.reference
    points = grid_points(fixed)[16:48:4, 16:48:4, 16:48:4].reshape(-1, 3)
    moved = points + sample(with_landmarks.forward_warp, fixed, points)
    back = moved + sample(with_landmarks.inverse_warp, fixed, moved)
    assert np.abs(back - points).max() < 0.2


def test_result_does_not_depend_on_the_incoming_nifti_world():
    """In Neuroglancer incoming space only voxel sizes matter, not the NIfTI affine."""
    # Two full alignments: a 32-voxel patch shows the invariance (differences ~1e-4 mm, at
    # rounding level, as on the 64-voxel patch) in a quarter of the time.
    patch = make_synthetic_patch(size=32, voxel_size=1.0)
    moved_affine = np.diag([1.0, -1.0, 1.0, 1.0])
    moved_affine[:3, 3] = [-5.0, 60.0, 2.0]

    def relocated(image):
        return nib.Nifti1Image(np.asarray(image.dataobj), moved_affine)

    pairs = patch.landmark_pairs[:10]
    original = align_patch(patch.incoming_image, patch.incoming_depth, patch.template_depth, patch.matrix, pairs)
    other = align_patch(
        relocated(patch.incoming_image), relocated(patch.incoming_depth), patch.template_depth, patch.matrix, pairs
    )
    _, points = patch.cortex_points(8.0)
    points = points[::50]
    assert np.abs(original.map_to_template(points) - other.map_to_template(points)).max() < 0.1
    assert np.allclose(original.resampled_image.numpy(), other.resampled_image.numpy(), atol=0.05)


def test_seed_space_is_half_a_voxel_off(patch):
    """The same matrix read in the seed's convention shifts incoming points by half a voxel."""
    from cortico.align._inputs import load_image

    fixed = load_image(patch.incoming_depth, "incoming depth map", "/tmp")
    neuroglancer = incoming_space_to_lps(fixed, "neuroglancer")
    seed = incoming_space_to_lps(fixed, "seed")
    point = np.array([[10.0, 20.0, 30.0]])
    shift = apply_affine(seed, point) - apply_affine(neuroglancer, point)
    assert np.allclose(np.abs(shift), 0.5 * patch.voxel_size)
