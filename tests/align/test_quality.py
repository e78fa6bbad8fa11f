"""The verdict on a finished alignment."""

from cortico.align._quality import quality_summary


def test_improved_depth_and_landmarks_give_no_warning():
    summary = quality_summary(
        {"mean_residual_before_mm": 3.0, "mean_residual_after_mm": 0.5},
        {"mean_squared_difference_before": 0.04, "mean_squared_difference_after": 0.01},
    )
    assert summary["depth_agreement"] == "improved"
    assert summary["warnings"] == []
    assert summary["landmark_mean_residual_after_mm"] == 0.5


def test_worse_depth_agreement_is_a_warning_that_says_by_how_much():
    summary = quality_summary({}, {"mean_squared_difference_before": 0.01, "mean_squared_difference_after": 0.03})
    assert summary["depth_agreement"] == "worse"
    assert summary["warnings"][0].startswith(
        "the depth agreement got worse: mean squared depth difference 0.01 before, 0.03 after"
    )


def test_tiny_changes_are_unchanged_and_worse_landmarks_are_flagged():
    summary = quality_summary(
        {"mean_residual_before_mm": 0.5, "mean_residual_after_mm": 0.9},
        {"mean_squared_difference_before": 0.0, "mean_squared_difference_after": 0.00005},
    )
    assert summary["depth_agreement"] == "unchanged"
    assert summary["warnings"] == [
        "the landmark residuals got worse: mean 0.5 mm before, 0.9 mm after (are some pairs wrong?)"
    ]


def test_no_cortex_is_unknown():
    summary = quality_summary({}, {"mean_squared_difference_before": None, "mean_squared_difference_after": None})
    assert summary["depth_agreement"] == "unknown" and "no cortex voxel" in summary["warnings"][0]
