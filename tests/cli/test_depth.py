"""``cortico depth`` through the command group."""

import nibabel as nib
import numpy as np
import pytest
from click.testing import CliRunner

from cortico.cli import main
from tests.depth._shapes import CORTEX, WHITE, slab

AFFINE = np.diag([0.3, 0.3, 0.3, 1.0])


@pytest.fixture
def segmentation(tmp_path):
    path = tmp_path / "seg.nii.gz"
    nib.save(nib.Nifti1Image(slab(6), AFFINE), path)
    return path


def _run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_depth_writes_the_map_and_side_products(segmentation, tmp_path):
    out = tmp_path / "depth.nii.gz"
    result = _run(["depth", segmentation, "-o", out, "--also", "laplace,thickness", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "216 cortex voxels, 0 undefined" in result.output
    data = np.asanyarray(nib.load(out).dataobj)
    np.testing.assert_allclose(data[2:8, 3, 3], (np.arange(6) + 0.5) / 6, atol=0.01)
    thickness = np.asanyarray(nib.load(tmp_path / "depth_thickness.nii.gz").dataobj)
    np.testing.assert_allclose(thickness[2:8], 1.8, atol=0.01)
    assert (tmp_path / "depth_laplace.nii.gz").is_file()
    assert not (tmp_path / "depth_equidistant.nii.gz").exists()


def test_progress_bar_is_shown(segmentation, tmp_path):
    result = _run(["depth", segmentation, "-o", tmp_path / "d.nii"])
    assert result.exit_code == 0, result.output
    assert "advecting flow tubes" in result.output


def test_label_mapping_options(tmp_path):
    labels = np.select([slab(6) == CORTEX, slab(6) == WHITE], [42, 41], 0).astype(np.int16)
    labels[0, 0, 0] = 10
    path = tmp_path / "ribbon.nii.gz"
    nib.save(nib.Nifti1Image(labels, AFFINE), path)
    for options in (["--labels", "freesurfer-ribbon"], ["--labels", "cortex=3,42", "--labels", "white=2,41"]):
        out = tmp_path / "d.nii.gz"
        result = _run(["depth", path, "-o", out, "--quiet", *options])
        assert result.exit_code == 0, result.output
        data = np.asanyarray(nib.load(out).dataobj)
        np.testing.assert_allclose(data[2:8, 3, 3], (np.arange(6) + 0.5) / 6, atol=0.01)
        out.unlink()
    strict = ["--labels", "cortex=42", "--labels", "white=41", "--labels", "outside=0"]
    result = _run(["depth", path, "-o", tmp_path / "d.nii.gz", "--quiet", *strict])
    assert result.exit_code == 1
    assert "labels [10]" in result.output


def test_voluba_compatible_flag(tmp_path):
    labels = slab(6, width=12)
    labels[:2] = 0
    labels[0, 5, 5] = CORTEX
    nib.save(nib.Nifti1Image(labels, AFFINE), tmp_path / "s.nii.gz")
    result = _run(["depth", tmp_path / "s.nii.gz", "-o", tmp_path / "d.nii.gz", "--quiet", "--voluba-compatible"])
    assert result.exit_code == 0, result.output
    assert "1 undefined (set to 0.5)" in result.output
    assert np.asanyarray(nib.load(tmp_path / "d.nii.gz").dataobj)[0, 5, 5] == 0.5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--labels", "grey=3"], "expected CLASS=LABEL"),
        (["--labels", "cortex=a,b"], "labels must be integers"),
        (["--labels", "cortex=3"], "lacks the key"),
        (["--also", "curvature"], "unknown products ['curvature']"),
    ],
)
def test_bad_options_are_usage_errors(segmentation, tmp_path, options, message):
    result = _run(["depth", segmentation, "-o", tmp_path / "d.nii.gz", *options])
    assert result.exit_code == 2
    assert message in result.output


def test_input_errors_are_reported_without_traceback(tmp_path):
    (tmp_path / "seg.txt").write_text("x")
    result = _run(["depth", tmp_path / "seg.txt", "-o", tmp_path / "d.nii.gz"])
    assert result.exit_code == 1
    assert "Error: seg.txt is not a NIfTI" in result.output
    assert "Traceback" not in result.output
    labels = slab(6)
    labels[labels == WHITE] = 0
    nib.save(nib.Nifti1Image(labels, AFFINE), tmp_path / "nowhite.nii.gz")
    result = _run(["depth", tmp_path / "nowhite.nii.gz", "-o", tmp_path / "d.nii.gz", "--quiet"])
    assert result.exit_code == 1
    assert "no cortex voxel has a white-matter neighbour" in result.output
