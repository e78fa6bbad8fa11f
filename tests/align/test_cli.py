import json

import nibabel as nib
import numpy as np
import pytest
from click.testing import CliRunner

from cortico.align._synthetic import make_synthetic_patch
from cortico.cli import main


@pytest.fixture(scope="module")
def small_patch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("patch")
    patch = make_synthetic_patch(size=32, voxel_size=2.0, n_landmarks=12, n_held_out=2)
    for name in ("incoming_image", "incoming_depth", "template_depth"):
        nib.save(getattr(patch, name), folder / f"{name}.nii.gz")
    (folder / "matrix.json").write_text(json.dumps({"transformation_matrix": patch.matrix.tolist()}))
    (folder / "landmarks.json").write_text(json.dumps(patch.landmark_pairs))
    return folder


def _arguments(folder, output, *extra):
    return [
        "align", str(folder / "incoming_image.nii.gz"),
        "--depth", str(folder / "incoming_depth.nii.gz"),
        "--matrix", str(folder / "matrix.json"),
        "-o", str(output), "--quiet", *extra,
    ]  # fmt: skip


def test_align_writes_every_output(small_patch, tmp_path):
    output = tmp_path / "out"
    arguments = _arguments(
        small_patch, output, "--landmarks", str(small_patch / "landmarks.json"),
        "--template-depth", str(small_patch / "template_depth.nii.gz"), "--threads", "2",
    )  # fmt: skip
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    assert "landmarks: 12 active, mean residual" in result.output
    assert "(fast preset)" in result.output
    report = json.loads((output / "report.json").read_text())
    assert report["landmarks"]["mean_residual_after_mm"] < report["landmarks"]["mean_residual_before_mm"]
    resampled = nib.load(output / "resampled.nii.gz")
    assert resampled.shape == (32, 32, 32)
    assert np.allclose(resampled.affine, nib.load(small_patch / "incoming_image.nii.gz").affine, atol=1e-4)
    for name in ("forward_warp.nii.gz", "inverse_warp.nii.gz", "incoming_to_template_affine.mat",
                 "incoming_to_template_composite.h5"):  # fmt: skip
        assert (output / name).stat().st_size > 0


def test_default_template_comes_from_the_depth_engine(small_patch, tmp_path, monkeypatch):
    import cortico.depth

    calls = []

    def fake_template_depth_map(**kwargs):
        calls.append(kwargs)
        return small_patch / "template_depth.nii.gz"

    monkeypatch.setattr(cortico.depth, "template_depth_map", fake_template_depth_map)
    result = CliRunner().invoke(main, _arguments(small_patch, tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert calls == [{}]
    assert "depth mean squared difference" in result.output


def test_bad_inputs_give_one_clear_line(small_patch, tmp_path):
    broken = tmp_path / "matrix.json"
    broken.write_text("[[1, 0, 0, 0], [0, 1, 0")
    arguments = _arguments(
        small_patch, tmp_path / "out", "--template-depth", str(small_patch / "template_depth.nii.gz")
    )
    arguments[arguments.index("--matrix") + 1] = str(broken)
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 2
    assert "is not valid JSON" in result.output

    broken.write_text("[[1, 0, 0], [0, 1, 0]]")
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1
    assert "Error: transformation matrix must be 4x4 or 3x4, got shape (2, 3)" in result.output
    assert "Traceback" not in result.output
