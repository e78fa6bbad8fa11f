"""Accuracy on the synthetic patch with a known affine + smooth warp (issue 7)."""

import numpy as np
import pytest

from cortico.align import align_patch
from cortico.align._synthetic import make_synthetic_patch, normal_error

# Points whose true template position keeps this distance (mm) from the template's faces:
# outside it the template has no data to align to.
MARGIN = 8.0


def _dense(patch, result):
    _, points = patch.cortex_points(MARGIN)
    truth = patch.true_map(points)
    mapped = result.map_to_template(points)
    return np.linalg.norm(mapped - truth, axis=1), normal_error(mapped, truth)


def _held_out(patch, result):
    incoming = np.array([pair["target_point"] for pair in patch.held_out_pairs])
    template = np.array([pair["source_point"] for pair in patch.held_out_pairs])
    return np.linalg.norm(result.map_to_template(incoming) - template, axis=1)


def test_affine_alone_is_far_off(patch):
    _, points = patch.cortex_points(MARGIN)
    affine_only = points @ patch.matrix[:3, :3].T + patch.matrix[:3, 3]
    assert np.linalg.norm(affine_only - patch.true_map(points), axis=1).mean() > 2.5


def test_syn_fixes_the_normal_direction(patch, syn_only):
    dense, normal = _dense(patch, syn_only)
    assert normal.mean() <= 0.2
    # Depth cannot see sliding along the layers: tangential error stays large.
    assert dense.mean() > 1.5


def test_landmarks_fix_the_tangential_direction(patch, with_landmarks):
    dense, normal = _dense(patch, with_landmarks)
    assert dense.mean() <= 0.8
    assert normal.mean() <= 0.2
    assert _held_out(patch, with_landmarks).mean() <= 0.5


def test_landmarks_improve_both_the_mean_and_the_worst_dense_error(patch, syn_only, with_landmarks):
    dense_syn, _ = _dense(patch, syn_only)
    dense_landmarks, _ = _dense(patch, with_landmarks)
    assert dense_landmarks.mean() < 0.3 * dense_syn.mean()
    assert dense_landmarks.max() < 0.6 * dense_syn.max()
    assert with_landmarks.report["landmarks"]["boundary"] in ("free", "stationary")


def test_landmarks_beat_syn_alone_on_held_out_pairs(patch, syn_only, with_landmarks):
    assert _held_out(patch, with_landmarks).mean() < 0.3 * _held_out(patch, syn_only).mean()


def test_resampled_image_is_closer_to_ideal_than_affine_only(patch, with_landmarks):
    ideal = np.asarray(patch.ideal_image.dataobj)
    incoming = np.asarray(patch.incoming_image.dataobj)
    resampled = with_landmarks.resampled_image.numpy()
    indices, _ = patch.cortex_points(MARGIN)
    region = tuple(indices.T)
    error_resampled = np.abs(resampled[region] - ideal[region]).mean()
    error_affine_only = np.abs(incoming[region] - ideal[region]).mean()
    assert error_resampled < 0.6 * error_affine_only


def test_report_measures_what_the_alignment_improved(with_landmarks):
    report = with_landmarks.report
    assert report["preset"] == "fast"
    landmarks = report["landmarks"]
    assert landmarks["count"] == 40  # the inactive pair is ignored
    assert landmarks["mean_residual_after_mm"] < 0.5 < 2.0 < landmarks["mean_residual_before_mm"]
    depth = report["depth"]
    assert depth["mean_squared_difference_after"] < 0.5 * depth["mean_squared_difference_before"]
    assert set(report["timings"]) == {"landmarks_s", "registration_s", "resampling_s", "total_s"}
    assert report["timings"]["total_s"] >= report["timings"]["registration_s"] > 0


@pytest.mark.slow
def test_voluba_preset_matches_fast_on_a_small_patch():
    """The seed's exact settings run through the same path and agree with the default."""
    small = make_synthetic_patch(size=32, voxel_size=2.0)
    results = {
        preset: align_patch(
            small.incoming_image, small.incoming_depth, small.template_depth, small.matrix, preset=preset
        )
        for preset in ("voluba", "fast")
    }
    _, points = small.cortex_points(MARGIN)
    truth = small.true_map(points)
    normal = {preset: normal_error(r.map_to_template(points), truth).mean() for preset, r in results.items()}
    affine_only = normal_error(points @ small.matrix[:3, :3].T + small.matrix[:3, 3], truth).mean()
    assert results["voluba"].report["preset"] == "voluba"
    assert normal["voluba"] < 0.5 * affine_only
    assert abs(normal["voluba"] - normal["fast"]) < 0.15
