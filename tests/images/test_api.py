import cortico.images


def test_public_names():
    assert cortico.images.__all__ == [
        "DEFAULT_MAX_UNCOMPRESSED_BYTES",
        "NIFTI_SUFFIXES",
        "PREFLIGHT_BYTES",
        "inspect_nifti",
        "iter_encoded",
        "preflight_nifti",
        "volume_name",
        "write_precomputed",
    ]
    assert cortico.images.PREFLIGHT_BYTES == 2048
    assert cortico.images.volume_name("brain.nii.gz") == "brain"
    assert cortico.images.volume_name("Brain.v2.NII") == "Brain.v2"
