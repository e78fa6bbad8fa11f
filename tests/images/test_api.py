import cortico.images


def test_public_names():
    assert cortico.images.__all__ == [
        "DEFAULT_MAX_UNCOMPRESSED_BYTES",
        "NIFTI_SUFFIXES",
        "PREFLIGHT_BYTES",
        "inspect_nifti",
        "iter_encoded",
        "preflight_nifti",
        "strip_nifti_suffix",
        "volume_name",
        "write_precomputed",
    ]
    assert cortico.images.PREFLIGHT_BYTES == 2048
    assert cortico.images.volume_name("brain.nii.gz") == "brain"
    assert cortico.images.volume_name("Brain.v2.NII") == "Brain.v2"
    assert cortico.images.strip_nifti_suffix("brain.nii.gz") == "brain"
    assert cortico.images.strip_nifti_suffix("Brain.NII.GZ") == "Brain"
    assert cortico.images.strip_nifti_suffix("brain.mgz") is None
    assert cortico.images.strip_nifti_suffix(".nii") is None
