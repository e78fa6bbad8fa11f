"""NIfTI/MGZ reading and depth-map writing."""

import gzip

import nibabel as nib
import numpy as np
import pytest

from cortico.depth import compute_depth, depth_map_from_file, load_segmentation, save_depth_map
from cortico.depth._io import side_product_path
from cortico.exceptions import InputError
from tests.depth._shapes import CORTEX, WHITE, slab

AFFINE = np.array([[0.3, 0, 0, -10.0], [0, 0.3, 0, 4.0], [0, 0, 0.3, 2.5], [0, 0, 0, 1]])


@pytest.fixture
def segmentation_file(tmp_path):
    path = tmp_path / "seg.nii.gz"
    nib.save(nib.Nifti1Image(slab(6), AFFINE), path)
    return path


def test_written_depth_map_has_the_specified_header(segmentation_file, tmp_path):
    written = depth_map_from_file(segmentation_file, tmp_path / "out" / "depth.nii.gz")
    image = nib.load(written.paths["equivolumetric"])
    header = image.header
    assert header.get_data_dtype() == np.float32
    assert float(header["cal_min"]) == 0.0 and float(header["cal_max"]) == 1.0
    assert int(header["intent_code"]) == 1001
    assert header["intent_name"].tobytes().rstrip(b"\0") == b"Equivol. depth"
    np.testing.assert_allclose(image.affine, AFFINE)
    data = np.asanyarray(image.dataobj)
    assert data.shape == (10, 6, 6)
    np.testing.assert_allclose(data[2:8, 2, 2], (np.arange(6) + 0.5) / 6, atol=0.01)
    assert np.all(data[:2] == 0) and np.all(data[8:] == 1)
    assert written.result.cortex_voxels == 6 * 36


def test_side_products_are_written_next_to_the_output(segmentation_file, tmp_path):
    out = tmp_path / "depth.nii"
    written = depth_map_from_file(segmentation_file, out, also=("laplace", "thickness", "equidistant"))
    assert written.paths["thickness"] == tmp_path / "depth_thickness.nii"
    thickness = nib.load(written.paths["thickness"])
    assert thickness.header["intent_name"].tobytes().rstrip(b"\0") == b"Thickness (mm)"
    np.testing.assert_allclose(np.asanyarray(thickness.dataobj)[2:8], 1.8, atol=0.01)
    assert float(thickness.header["cal_max"]) == pytest.approx(1.8, abs=0.01)
    laplace = np.asanyarray(nib.load(written.paths["laplace"]).dataobj)
    np.testing.assert_allclose(laplace[2:8, 3, 3], np.arange(1, 7) / 7, atol=1e-3)
    assert (tmp_path / "depth_equidistant.nii").is_file()


def test_mgz_input_and_ribbon_labels(tmp_path):
    labels = np.select([slab(6) == CORTEX, slab(6) == WHITE], [3, 2], 0).astype(np.int32)
    path = tmp_path / "ribbon.mgz"
    nib.save(nib.MGHImage(labels, AFFINE), path)
    segmentation = load_segmentation(path)
    assert segmentation.voxel_sizes == pytest.approx((0.3, 0.3, 0.3))
    written = depth_map_from_file(path, tmp_path / "d.nii.gz", label_mapping={"cortex": [3, 42], "white": [2, 41]})
    data = np.asanyarray(nib.load(written.paths["equivolumetric"]).dataobj)
    np.testing.assert_allclose(data[2:8, 3, 3], (np.arange(6) + 0.5) / 6, atol=0.01)


def test_micron_units_are_converted_to_mm(tmp_path):
    image = nib.Nifti1Image(slab(6), np.diag([300.0, 300.0, 300.0, 1.0]))
    image.header.set_xyzt_units("micron")
    path = tmp_path / "um.nii"
    nib.save(image, path)
    assert load_segmentation(path).voxel_sizes == pytest.approx((0.3, 0.3, 0.3))
    written = depth_map_from_file(path, tmp_path / "d.nii", also=("thickness",))
    thickness = np.asanyarray(nib.load(written.paths["thickness"]).dataobj)
    np.testing.assert_allclose(thickness[2:8], 1.8, atol=0.01)  # in mm
    assert nib.load(written.paths["equivolumetric"]).header.get_xyzt_units()[0] == "micron"


def test_qform_and_sform_codes_are_kept(tmp_path):
    image = nib.Nifti1Image(slab(6), AFFINE)
    image.set_qform(AFFINE, code=1)
    image.set_sform(AFFINE, code=4)
    nib.save(image, tmp_path / "s.nii")
    written = depth_map_from_file(tmp_path / "s.nii", tmp_path / "d.nii")
    header = nib.load(written.paths["equivolumetric"]).header
    assert int(header["qform_code"]) == 1 and int(header["sform_code"]) == 4


def test_voluba_compatible_file_has_no_nan(tmp_path):
    labels = slab(6, width=12)
    labels[:2] = 0
    labels[0, 5, 5] = CORTEX
    nib.save(nib.Nifti1Image(labels, AFFINE), tmp_path / "s.nii.gz")
    raw = depth_map_from_file(tmp_path / "s.nii.gz", tmp_path / "raw.nii.gz")
    compatible = depth_map_from_file(tmp_path / "s.nii.gz", tmp_path / "c.nii.gz", voluba_compatible=True)
    assert np.isnan(np.asanyarray(nib.load(raw.paths["equivolumetric"]).dataobj)[0, 5, 5])
    data = np.asanyarray(nib.load(compatible.paths["equivolumetric"]).dataobj)
    assert data[0, 5, 5] == 0.5 and not np.any(np.isnan(data))


def test_save_depth_map_round_trip(tmp_path):
    depth = compute_depth(slab(6), (0.3, 0.3, 0.3)).equivolumetric
    path = save_depth_map(tmp_path / "x.nii.gz", depth, AFFINE)
    np.testing.assert_array_equal(np.asanyarray(nib.load(path).dataobj), depth)
    assert nib.load(path).header.get_xyzt_units()[0] == "mm"


@pytest.mark.parametrize("name", ["seg.txt", "seg.png", "seg"])
def test_other_extensions_are_rejected(tmp_path, name):
    (tmp_path / name).write_bytes(b"not an image")
    with pytest.raises(InputError, match=f"{name} is not a NIfTI .* or MGZ"):
        load_segmentation(tmp_path / name)


def test_corrupt_files_are_rejected(tmp_path):
    (tmp_path / "bad.nii.gz").write_bytes(b"this is not gzip")
    with pytest.raises(InputError, match="bad.nii.gz could not be read as a NIfTI or MGZ"):
        load_segmentation(tmp_path / "bad.nii.gz")
    with gzip.open(tmp_path / "short.nii.gz", "wb") as handle:
        handle.write(b"\0" * 100)
    with pytest.raises(InputError, match="short.nii.gz could not be read"):
        load_segmentation(tmp_path / "short.nii.gz")
    (tmp_path / "bad.mgz").write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(InputError, match="bad.mgz could not be read"):
        load_segmentation(tmp_path / "bad.mgz")


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_segmentation(tmp_path / "nothing.nii.gz")


def test_4d_file_is_an_input_error(tmp_path):
    nib.save(nib.Nifti1Image(np.zeros((4, 4, 4, 2), np.int16), np.eye(4)), tmp_path / "t.nii")
    with pytest.raises(InputError, match="4D data"):
        depth_map_from_file(tmp_path / "t.nii", tmp_path / "d.nii")


def test_bad_output_names_and_products(segmentation_file, tmp_path):
    with pytest.raises(InputError, match="must end in .nii or .nii.gz"):
        depth_map_from_file(segmentation_file, tmp_path / "d.mgz")
    with pytest.raises(InputError, match=r"unknown side products \['bogus'\]"):
        depth_map_from_file(segmentation_file, tmp_path / "d.nii", also=("bogus",))
    assert side_product_path("a/depth.nii.gz", "laplace").as_posix() == "a/depth_laplace.nii.gz"
