import re

import nibabel as nib
import numpy as np
import pytest

from cortico.align import align_patch, parse_landmark_pairs, parse_matrix
from cortico.exceptions import InputError


def test_matrix_3x4_is_completed():
    matrix = parse_matrix([[1, 0, 0, 5], [0, 1, 0, 6], [0, 0, 1, 7]])
    assert matrix.shape == (4, 4)
    assert matrix[3].tolist() == [0, 0, 0, 1]
    assert matrix[:3, 3].tolist() == [5, 6, 7]


@pytest.mark.parametrize(
    ("matrix", "message"),
    [
        ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], "4x4 or 3x4, got shape (3, 3)"),
        ([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 1]], "last row"),
        ([[1, 0, 0, float("nan")], [0, 1, 0, 0], [0, 0, 1, 0]], "non-finite"),
        ([[0, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], "singular"),
        ([["a", 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], "list of 3 or 4 rows"),
        ([[1e300, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], "transformation matrix has an entry of 1e+300"),
        ([[1000, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], "ill-conditioned: it scales lengths by 1 to 1e+03"),
        ([[0.001, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], "ill-conditioned: it scales lengths by 0.001 to 1"),
    ],
)
def test_bad_matrices(matrix, message):
    with pytest.raises(InputError, match=re.escape(message)):
        parse_matrix(matrix)


def test_landmarks_ignore_unknown_keys_and_inactive_pairs():
    pairs = [
        {"source_point": [1, 2, 3], "target_point": [4, 5, 6], "colour": "#fff", "name": "a"},
        {"source_point": [7, 8, 9], "target_point": [1, 1, 1], "active": False},
        {"source_point": [0, 0, 0], "target_point": [2, 2, 2.5], "active": True},
    ]
    parsed = parse_landmark_pairs(pairs)
    assert len(parsed) == 2
    assert parsed.names == ("a", "#2")
    assert parsed.template_points.tolist() == [[1, 2, 3], [0, 0, 0]]
    assert parsed.incoming_points.tolist() == [[4, 5, 6], [2, 2, 2.5]]
    assert len(parse_landmark_pairs(None)) == 0


def test_bad_landmarks_list_every_problem():
    pairs = [
        {"target_point": [1, 2, 3]},
        {"source_point": [1, 2], "target_point": [1, 2, 3]},
        {"source_point": [1, 2, 3], "target_point": [1, 2, 3], "active": "yes"},
        "nonsense",
    ]
    with pytest.raises(InputError) as caught:
        parse_landmark_pairs(pairs)
    problems = caught.value.problems
    assert len(problems) == 4
    assert "#0 has no 'source_point'" in problems[0]
    assert "#1: 'source_point' must be 3 finite numbers" in problems[1]
    assert "'active' must be true or false" in problems[2]
    assert "#3 must be an object" in problems[3]


def _depth(shape=(16, 16, 16), value=None):
    data = np.zeros(shape, np.float32)
    data[:, :, 6:10] = np.linspace(0, 1, 4)
    data[:, :, 10:] = 1
    if value is not None:
        data[0, 0, 0] = value
    return nib.Nifti1Image(data, np.eye(4))


def test_segmentation_given_as_depth_map_is_refused():
    segmentation = nib.Nifti1Image(np.full((16, 16, 16), 200, np.float32), np.eye(4))
    with pytest.raises(
        InputError, match=r"incoming depth map must hold depths in \[0, 1\].*from 200 to 200.*segmentation"
    ):
        align_patch(_depth(), segmentation, _depth(), np.eye(4))


def test_nan_in_template_depth_is_refused():
    with pytest.raises(InputError, match="template depth map has 1 non-finite voxel"):
        align_patch(_depth(), _depth(), _depth(value=np.nan), np.eye(4))


def test_image_and_depth_on_different_grids_are_refused():
    with pytest.raises(InputError, match=r"on the incoming image's voxel grid; they differ in shape \(16, 16, 12\) vs"):
        align_patch(_depth((16, 16, 12)), _depth(), _depth(), np.eye(4))
    moved = nib.Nifti1Image(np.asarray(_depth().dataobj), np.diag([1.0, 1.0, 2.0, 1.0]))
    with pytest.raises(
        InputError, match=r"differ in voxel size \[1.0, 1.0, 1.0\] vs \[1.0, 1.0, 2.0\] mm \(incoming image first\)"
    ):
        align_patch(_depth(), moved, _depth(), np.eye(4))


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="incoming image: no such file"):
        align_patch(tmp_path / "absent.nii.gz", _depth(), _depth(), np.eye(4))
    junk = tmp_path / "junk.nii.gz"
    junk.write_bytes(b"not a volume at all")
    with pytest.raises(InputError, match="template depth map: .* is not a readable NIfTI volume"):
        align_patch(_depth(), _depth(), junk, np.eye(4))


def test_unknown_preset_and_space():
    with pytest.raises(InputError, match="unknown alignment preset 'slow': expected one of fast, voluba"):
        align_patch(_depth(), _depth(), _depth(), np.eye(4), preset="slow")
    with pytest.raises(InputError, match="incoming_space must be one of neuroglancer, seed, world"):
        align_patch(_depth(), _depth(), _depth(), np.eye(4), incoming_space="voxel")


def test_landmark_outside_the_incoming_volume_is_named():
    pairs = [{"source_point": [1, 1, 1], "target_point": [50, 1, 1], "name": "far"}]
    with pytest.raises(InputError, match=r"landmark far: target_point \[50.0, 1.0, 1.0\] mm is outside the incoming"):
        align_patch(_depth(), _depth(), _depth(), np.eye(4), pairs)


def test_progress_messages_follow_the_work():
    calls = []
    pairs = [{"source_point": [8, 8, 8], "target_point": [8, 8, 8]}]
    result = align_patch(
        _depth(),
        _depth(),
        _depth(),
        np.eye(4),
        pairs,
        incoming_space="world",
        progress=lambda f, m: calls.append((f, m)),
    )
    messages = [message for _, message in calls]
    assert messages[0] == "reading the images"
    assert "fitting the landmarks" in messages
    assert "computing alignment" in messages
    assert "computing alignment: 0% (level 1 of 2, iteration 0 of 100)" in messages
    assert any(re.fullmatch(r"computing alignment: \d+% \(level 2 of 2, iteration \d+ of 10\)", m) for m in messages)
    assert "resampling the image" in messages
    assert calls[-1] == (1.0, "done")
    fractions = [fraction for fraction, _ in calls]
    assert fractions == sorted(fractions)
    # identical images in the same world: the alignment is (nearly) the identity
    assert result.report["depth"]["mean_squared_difference_before"] == 0
    assert result.report["depth"]["mean_squared_difference_after"] < 1e-4
    assert np.abs(result.forward_warp).max() < 0.05


def test_every_image_kind_is_accepted_and_read_alike(tmp_path):
    import ants

    depth = _depth()
    path = tmp_path / "depth.nii.gz"
    nib.save(depth, path)
    kinds = [depth, path, str(path), (np.asarray(depth.dataobj), depth.affine), ants.image_read(str(path))]
    results = [align_patch(kind, kind, kind, np.eye(4), incoming_space="world") for kind in kinds]
    for result in results:
        assert np.allclose(result.affine, results[0].affine)
        assert np.allclose(result.resampled_image.numpy(), results[0].resampled_image.numpy(), atol=1e-4)
    with pytest.raises(InputError, match=r"needs a 4x4 affine, got shape \(3, 3\)"):
        align_patch((np.zeros((4, 4, 4)), np.eye(3)), depth, depth, np.eye(4))
    with pytest.raises(InputError, match="must be an ANTs image, a nibabel image, an \\(array, affine\\) pair"):
        align_patch(42, depth, depth, np.eye(4))


def test_progress_callback_can_cancel(monkeypatch, tmp_path):
    import tempfile

    from cortico.exceptions import JobCancelled

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def cancel_at_registration(fraction, message):
        if message == "computing alignment":
            raise JobCancelled("cancelled by its owner")

    with pytest.raises(JobCancelled, match="cancelled by its owner"):
        align_patch(_depth(), _depth(), _depth(), np.eye(4), progress=cancel_at_registration)
    assert list(tmp_path.iterdir()) == []


def test_cancelling_during_the_registration_kills_it_and_cleans_up(monkeypatch, tmp_path):
    import os
    import tempfile
    import time

    from cortico.exceptions import JobCancelled

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seen = []

    def cancel_in_level_two(fraction, message):
        seen.append(message)
        if "(level 2 of 2" in message:
            raise JobCancelled("cancelled by its owner")

    started = time.monotonic()
    with pytest.raises(JobCancelled, match="cancelled by its owner"):
        align_patch(
            _depth((32, 32, 32)), _depth((32, 32, 32)), _depth((32, 32, 32)), np.eye(4), progress=cancel_in_level_two
        )
    assert "computing alignment: 0% (level 1 of 2, iteration 0 of 100)" in seen
    assert "resampling the image" not in seen
    assert time.monotonic() - started < 120
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the registration's child was reaped


def test_landmark_pairs_are_bounded_in_count_and_name_length():
    pair = {"source_point": [0, 0, 0], "target_point": [1, 1, 1]}
    with pytest.raises(InputError, match="1001 landmark pairs were given; at most 1000 are allowed"):
        parse_landmark_pairs([pair] * 1001)
    with pytest.raises(InputError, match="'name' must be a text of at most 200 characters"):
        parse_landmark_pairs([{**pair, "name": "x" * 201}])
    assert parse_landmark_pairs([{**pair, "name": "x" * 200}] * 1000).names[0] == "x" * 200
