import nibabel as nib
import numpy as np
import pytest


@pytest.fixture
def make_nifti(tmp_path):
    """Write a NIfTI file; returns its path."""

    def make(data, affine=None, name="volume.nii.gz", units=("mm", "sec"), header_edit=None, klass=nib.Nifti1Image):
        affine = np.eye(4) if affine is None else affine
        image = klass(np.asarray(data), affine)
        image.header.set_xyzt_units(*units)
        if header_edit is not None:
            header_edit(image.header)
        path = tmp_path / name
        nib.save(image, path)
        return path

    return make
