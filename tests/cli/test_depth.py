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
    assert "1 undefined (0.116 %, set to 0.5)" in result.output
    assert "warning: 1 of 865 cortex voxels (0.116 %) have no depth" in result.output
    assert np.asanyarray(nib.load(tmp_path / "d.nii.gz").dataobj)[0, 5, 5] == 0.5
    strict = _run(["depth", tmp_path / "s.nii.gz", "-o", tmp_path / "d.nii.gz", "--quiet", "--max-undefined", "0.1"])
    assert strict.exit_code == 1
    assert "0.12 % of the 865 cortex voxels have no depth (more than the accepted 0.1 %)" in strict.output
    assert "1 flow lines reached no pial or white boundary" in strict.output


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--labels", "grey=3"], "expected CLASS=LABEL"),
        (["--labels", "cortex=a,b"], "labels must be integers"),
        (["--labels", "cortex=3"], "lacks the key"),
        (["--also", "bogus"], "unknown products ['bogus']"),
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


def test_summary_names_voxel_size_thickness_and_path_limit(segmentation, tmp_path):
    result = _run(["depth", segmentation, "-o", tmp_path / "d.nii.gz", "--quiet", "--also", "quality"])
    assert result.exit_code == 0, result.output
    assert "216 cortex voxels, 0 undefined (0 %, NaN); voxel size 0.3 x 0.3 x 0.3 mm" in result.output
    assert "estimated thickness 1.8 mm, path limit 6 mm" in result.output
    quality = nib.load(tmp_path / "d_quality.nii.gz")
    assert quality.get_data_dtype() == np.uint8
    assert np.asanyarray(quality.dataobj)[2:8, 2:4, 2:4].max() == 0


def test_too_many_undefined_voxels_exit_1_with_the_likely_cause(tmp_path):
    labels = slab(20)  # 20 voxels: 10 mm of cortex at 0.5 mm
    path = tmp_path / "thick.nii.gz"
    nib.save(nib.Nifti1Image(labels, np.diag([0.5, 0.5, 0.5, 1.0])), path)
    out = tmp_path / "d.nii.gz"
    result = _run(["depth", path, "-o", out, "--quiet", "--max-path", "6"])
    assert result.exit_code == 1
    assert "% of the 720 cortex voxels have no depth (more than the accepted 1 %)" in result.output
    assert "flow lines were longer than the path limit of 6 mm" in result.output
    assert "likely cause is a wrong voxel size in the header" in result.output
    assert out.is_file()  # the maps are written, the exit code says they are not usable
    assert _run(["depth", path, "-o", out, "--quiet", "--max-path", "6", "--max-undefined", "90"]).exit_code == 0
    adaptive = _run(["depth", path, "-o", out, "--quiet"])
    assert adaptive.exit_code == 0, adaptive.output
    assert "720 cortex voxels, 0 undefined" in adaptive.output


def test_voxel_size_option_and_inconsistent_headers(tmp_path):
    image = nib.Nifti1Image(slab(6), AFFINE)
    image.set_sform(np.diag([0.6, 0.6, 0.6, 1.0]), code=1)  # pixdim stays 0.3
    path = tmp_path / "bad.nii"
    nib.save(image, path)
    refused = _run(["depth", path, "-o", tmp_path / "d.nii", "--quiet"])
    assert refused.exit_code == 1
    assert "voxel sizes disagree: (0.6, 0.6, 0.6) mm from the sform but (0.3, 0.3, 0.3) mm" in refused.output
    assert "Traceback" not in refused.output
    given = _run(
        ["depth", path, "-o", tmp_path / "d.nii", "--quiet", "--voxel-size", "0.3", "0.3", "0.3", "--also", "thickness"]
    )
    assert given.exit_code == 0, given.output
    np.testing.assert_allclose(np.asanyarray(nib.load(tmp_path / "d_thickness.nii").dataobj)[2:8], 1.8, atol=0.01)
    assert _run(["depth", path, "-o", tmp_path / "d.nii", "--voxel-size", "0", "1", "1"]).exit_code == 1


def test_smoothing_and_memory_options(segmentation, tmp_path):
    assert _run(["depth", segmentation, "-o", tmp_path / "d.nii", "--quiet", "--smoothing", "0.5"]).exit_code == 0
    bad = _run(["depth", segmentation, "-o", tmp_path / "d.nii", "--smoothing", "-1"])
    assert bad.exit_code == 2
    small = _run(["depth", segmentation, "-o", tmp_path / "d.nii", "--quiet", "--max-memory", "0.000001"])
    assert small.exit_code == 1
    assert "declares a 10x6x6 grid of int16" in small.output


def test_layers_curvature_and_cut_face_options(segmentation, tmp_path):
    out = tmp_path / "d.nii.gz"
    result = _run(["depth", segmentation, "-o", out, "--quiet", "--layers", "3", "--also", "curvature"])
    assert result.exit_code == 0, result.output
    layers = nib.load(tmp_path / "d_layers.nii.gz")
    assert layers.get_data_dtype() == np.uint8
    np.testing.assert_array_equal(np.asanyarray(layers.dataobj)[2:8, 3, 3], [1, 1, 2, 2, 3, 3])
    boundaries = np.asanyarray(nib.load(tmp_path / "d_boundaries.nii.gz").dataobj)
    assert boundaries.shape == (10, 6, 6, 2)
    np.testing.assert_allclose(boundaries[2:8, 3, 3, 0], (np.arange(6) + 0.5) * 0.3 - 0.6, atol=0.01)  # mm
    curvature = np.asanyarray(nib.load(tmp_path / "d_curvature.nii.gz").dataobj)
    assert np.max(np.abs(curvature)) < 1e-3  # a flat slab
    zero_flux = _run(["depth", segmentation, "-o", out, "--quiet", "--cut-faces", "zero-flux"])
    assert zero_flux.exit_code == 0
    assert _run(["depth", segmentation, "-o", out, "--layers", "1"]).exit_code == 2


def test_a_2d_section_file(tmp_path):
    image = nib.Nifti1Image(slab(6)[:, :, 3], AFFINE)
    raw = image.header
    raw["pixdim"][3] = 0.0  # 2-D files often carry no third size: it is not needed
    path = tmp_path / "section.nii"
    nib.save(nib.Nifti1Image(slab(6)[:, :, 3], AFFINE, raw), path)
    out = tmp_path / "d.nii.gz"
    result = _run(["depth", path, "-o", out, "--quiet", "--layers", "2"])
    assert result.exit_code == 0, result.output
    assert "36 cortex voxels, 0 undefined" in result.output
    depth = np.asanyarray(nib.load(out).dataobj)
    assert depth.shape == (10, 6)
    np.testing.assert_allclose(depth[2:8, 3], (np.arange(6) + 0.5) / 6, atol=0.01)
    assert nib.load(tmp_path / "d_boundaries.nii.gz").shape == (10, 6, 1, 1)


def test_profile_sampling_option(segmentation, tmp_path):
    intensity = np.indices((10, 6, 6))[0].astype(np.float32) * 0.3
    image = tmp_path / "t1.nii.gz"
    nib.save(nib.Nifti1Image(intensity, AFFINE), image)
    out = tmp_path / "d.nii.gz"
    result = _run(["depth", segmentation, "-o", out, "--quiet", "--profile", image, "--samples", "4"])
    assert result.exit_code == 0, result.output
    profiles = np.asanyarray(nib.load(tmp_path / "d_profiles.nii.gz").dataobj)
    assert profiles.shape == (10, 6, 6, 4)
    np.testing.assert_allclose(profiles[4, 3, 3], [0.45, 1.05, 1.65, 2.25], atol=1e-3)
    shifted = tmp_path / "shifted.nii.gz"
    nib.save(nib.Nifti1Image(intensity, AFFINE + _shift(1.0)), shifted)
    refused = _run(["depth", segmentation, "-o", out, "--quiet", "--profile", shifted])
    assert refused.exit_code == 1 and "not on the segmentation's grid" in refused.output


def _shift(mm):
    matrix = np.zeros((4, 4))
    matrix[0, 3] = mm
    return matrix
