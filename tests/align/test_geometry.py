"""Geometry checks that need only the headers (run at submission and before registering)."""

import numpy as np
import pytest

from cortico.align import parse_landmark_pairs
from cortico.align._geometry import Grid, check_geometry, check_same_grid, grid_differences, overlap_fraction
from cortico.exceptions import InputError

INCOMING = Grid((40, 30, 20), (0.5, 0.5, 1.0), np.diag([0.5, 0.5, 1.0, 1.0]))
TEMPLATE = Grid(
    (100, 100, 100), (1.0, 1.0, 1.0), np.array([[1, 0, 0, -50], [0, 1, 0, -50], [0, 0, 1, -50], [0, 0, 0, 1.0]])
)


def _pairs(*pairs):
    return parse_landmark_pairs(
        [{"source_point": s, "target_point": t, "name": f"P{k}"} for k, (s, t) in enumerate(pairs)]
    )


def test_a_well_placed_patch_passes():
    matrix = np.eye(4)
    assert overlap_fraction(INCOMING, matrix, "neuroglancer", TEMPLATE) == 1.0
    check_geometry(INCOMING, matrix, _pairs(([1, 2, 3], [10, 7, 5])), "neuroglancer", TEMPLATE)


def test_a_matrix_placing_the_patch_500_mm_away_is_refused_with_where_it_lands():
    matrix = np.eye(4)
    matrix[0, 3] = 500
    assert overlap_fraction(INCOMING, matrix, "neuroglancer", TEMPLATE) == 0.0
    with pytest.raises(
        InputError, match=r"transformation_matrix places 0% of the incoming volume inside the template"
    ) as caught:
        check_geometry(INCOMING, matrix, _pairs(), "neuroglancer", TEMPLATE)
    assert "centre lands at [510.0, 7.5, 10.0] mm" in caught.value.message
    assert "the template spans RAS [-50.5, -50.5, -50.5] to [49.5, 49.5, 49.5] mm" in caught.value.message


def test_half_outside_is_measured():
    matrix = np.eye(4)
    matrix[0, 3] = 39.5  # the patch spans x = 39.5 .. 59.5 in the template, which ends at 49.5
    assert overlap_fraction(INCOMING, matrix, "neuroglancer", TEMPLATE) == pytest.approx(5 / 9)


def test_landmarks_outside_either_volume_are_each_named():
    pairs = _pairs(([1, 2, 3], [10, 7, 5]), ([1500, 0, 0], [10, 7, 5]), ([0, 0, 0], [-3, 7, 5]))
    with pytest.raises(InputError, match="2 problem") as caught:
        check_geometry(INCOMING, np.eye(4), pairs, "neuroglancer", TEMPLATE)
    problems = caught.value.problems
    assert any(
        p.startswith("landmark P2: target_point [-3.0, 7.0, 5.0] mm is outside the incoming volume") for p in problems
    )
    assert "neuroglancer space from [0.0, 0.0, 0.0] to [20.0, 15.0, 20.0] mm" in problems[0]
    assert any(
        p.startswith("landmark P1: source_point [1500.0, 0.0, 0.0] mm is outside the template") for p in problems
    )


def test_without_the_template_only_the_incoming_side_is_checked():
    far = np.eye(4)
    far[0, 3] = 500
    check_geometry(INCOMING, far, _pairs(([1500, 0, 0], [10, 7, 5])), "neuroglancer")


def test_incoming_space_conventions_differ_by_half_a_voxel():
    # x = 19.9 is inside in Neuroglancer space (voxels span [0, 20)), outside in the seed's (centres 0 .. 19.5).
    inside_neuroglancer = _pairs(([0, 0, 0], [19.9, 7, 5]))
    check_geometry(INCOMING, np.eye(4), inside_neuroglancer, "neuroglancer", TEMPLATE)
    with pytest.raises(InputError, match="target_point"):
        check_geometry(INCOMING, np.eye(4), _pairs(([0, 0, 0], [20.1, 7, 5])), "neuroglancer", TEMPLATE)
    check_geometry(INCOMING, np.eye(4), _pairs(([0, 0, 0], [-0.2, 7, 5])), "seed", TEMPLATE)


def test_grid_differences_say_what_differs():
    other = Grid((40, 30, 21), (0.5, 0.5, 1.2), np.diag([0.5, 0.5, 1.2, 1.0]) + np.eye(4)[3] * 0)
    shifted = Grid(
        INCOMING.shape, INCOMING.voxel_size, INCOMING.affine + np.array([[0, 0, 0, 3.0]] * 3 + [[0, 0, 0, 0]])
    )
    assert grid_differences(INCOMING, INCOMING) == []
    assert grid_differences(INCOMING, other) == [
        "shape (40, 30, 20) vs (40, 30, 21)",
        "voxel size [0.5, 0.5, 1.0] vs [0.5, 0.5, 1.2] mm",
    ]
    assert grid_differences(INCOMING, shifted) == ["origin [0.0, 0.0, 0.0] vs [3.0, 3.0, 3.0] mm"]
    with pytest.raises(InputError, match=r"the depth map must be on the image's voxel grid; they differ in origin"):
        check_same_grid(INCOMING, shifted, "image", "depth map")


def test_grid_from_nifti_extra_and_header(tmp_path):
    import nibabel as nib

    from cortico.images import inspect_nifti

    path = tmp_path / "v.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((6, 5, 4), np.float32), np.diag([2.0, 2.0, 3.0, 1.0])), path)
    from_extra = Grid.from_nifti_extra(inspect_nifti(path, "v.nii.gz", segmentation=False))
    from_header = Grid.from_header(path)
    assert from_extra.shape == from_header.shape == (6, 5, 4)
    assert grid_differences(from_extra, from_header) == []
    assert Grid.from_nifti_extra({"nifti": {}}) is None
    for broken in ({"size": [6, 5]}, {"voxelSize": [0, 2, 3]}, {"affineMatrix": np.zeros((4, 4)).tolist()}):
        nifti = {"size": [6, 5, 4], "voxelSize": [2, 2, 3], "affineMatrix": np.eye(4).tolist(), **broken}
        assert Grid.from_nifti_extra({"nifti": nifti}) is None, broken
