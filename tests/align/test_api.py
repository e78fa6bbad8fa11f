import cortico.align


def test_public_names():
    assert cortico.align.__all__ == [
        "DEFAULT_PRESET",
        "INCOMING_SPACES",
        "MAX_LANDMARK_NAME_LENGTH",
        "MAX_LANDMARK_PAIRS",
        "OUTPUT_FILES",
        "PRESETS",
        "RAS_TO_LPS",
        "AlignmentResult",
        "Grid",
        "LandmarkPairs",
        "align_patch",
        "check_geometry",
        "check_same_grid",
        "grid_differences",
        "landmark_pairs_from_table",
        "parse_landmark_pairs",
        "parse_matrix",
    ]
    public = {name for name in dir(cortico.align) if not name.startswith("_")}  # dir(): names load lazily
    assert public - {"__all__"} >= set(cortico.align.__all__)
    assert cortico.align.DEFAULT_PRESET == "fast"
    assert set(cortico.align.PRESETS) == {"fast", "voluba"}
