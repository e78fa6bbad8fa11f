import cortico.align


def test_public_names():
    assert cortico.align.__all__ == [
        "DEFAULT_PRESET",
        "INCOMING_SPACES",
        "OUTPUT_FILES",
        "PRESETS",
        "RAS_TO_LPS",
        "AlignmentResult",
        "LandmarkPairs",
        "align_patch",
        "parse_landmark_pairs",
        "parse_matrix",
    ]
    public = {name for name in dir(cortico.align) if not name.startswith("_")}  # dir(): names load lazily
    assert public - {"__all__"} >= set(cortico.align.__all__)
    assert cortico.align.DEFAULT_PRESET == "fast"
    assert set(cortico.align.PRESETS) == {"fast", "voluba"}
