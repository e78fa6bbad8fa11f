"""Header checks before the data is read: grid size and memory, voxel size from sform/qform."""

import gzip
import resource
import time

import nibabel as nib
import numpy as np
import pytest

from cortico.depth import depth_map_from_file, estimated_memory_bytes, load_segmentation
from cortico.depth._header import BYTES_PER_VOXEL
from cortico.exceptions import InputError
from tests.depth._shapes import slab

AFFINE = np.diag([0.3, 0.3, 0.3, 1.0])


def _header_only(tmp_path, shape, dtype=np.int16, name="huge.nii.gz"):
    """A file holding a NIfTI header that declares ``shape`` but (almost) no data."""
    header = nib.Nifti1Header()
    header.set_data_shape(shape)
    header.set_data_dtype(dtype)
    header.set_zooms((0.2,) * len(shape))
    header.set_sform(np.diag([0.2, 0.2, 0.2, 1.0]), code=1)
    raw = header.binaryblock + b"\0" * 4
    path = tmp_path / name
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    return path


@pytest.mark.parametrize("shape", [(30000, 30000, 30000), (1024, 1024, 1024)])
def test_huge_declared_grid_is_refused_from_the_header_without_allocating(tmp_path, shape):
    path = _header_only(tmp_path, shape)
    assert path.stat().st_size < 200
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(InputError, match=rf"declares a {shape[0]}x{shape[1]}x{shape[2]} grid of int16.*GiB"):
        load_segmentation(path)
    assert time.perf_counter() - started < 5.0  # an upper bound; the check reads 352 bytes
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # kB: nothing allocated


def test_gzip_bomb_of_zeros_is_refused_before_decompression(tmp_path):
    header = nib.Nifti1Header()
    header.set_data_shape((1024, 1024, 1024))
    header.set_data_dtype(np.uint8)
    header.set_zooms((0.2, 0.2, 0.2))
    path = tmp_path / "bomb.nii.gz"
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(header.binaryblock + b"\0" * 4)
        chunk = bytes(1 << 24)
        for _ in range(4):  # 64 MB of zeros is enough to show nothing is decompressed
            stream.write(chunk)
    started = time.perf_counter()
    with pytest.raises(InputError, match="would need about 35.0 GiB, more than the limit of 8.0 GiB"):
        depth_map_from_file(path, tmp_path / "d.nii.gz")
    assert time.perf_counter() - started < 5.0


def test_memory_estimate_and_a_configured_limit(tmp_path):
    assert estimated_memory_bytes((100, 100, 100), 2) == 10**6 * (2 + BYTES_PER_VOXEL)
    path = tmp_path / "seg.nii.gz"
    nib.save(nib.Nifti1Image(slab(6), AFFINE), path)  # 10 x 6 x 6 int16
    with pytest.raises(InputError, match="limit of 0.0 GiB"):
        load_segmentation(path, max_memory_bytes=1000)
    assert load_segmentation(path, max_memory_bytes=360 * (2 + BYTES_PER_VOXEL)).labels.shape == (10, 6, 6)
    assert load_segmentation(path, max_memory_bytes=None).labels.shape == (10, 6, 6)


def _save_with(tmp_path, *, pixdim=None, sform=None, sform_code=1, qform_code=0):
    image = nib.Nifti1Image(slab(6), AFFINE)
    image.set_sform(AFFINE if sform is None else sform, code=sform_code)
    image.set_qform(AFFINE, code=qform_code)
    path = tmp_path / "seg.nii"
    nib.save(image, path)
    if pixdim is not None:  # patch the stored pixdim, which nibabel would "fix" on save
        raw = bytearray(path.read_bytes())
        block = nib.Nifti1Header.from_fileobj(open(path, "rb"), check=False)
        block["pixdim"][1:4] = pixdim
        raw[:348] = block.binaryblock
        path.write_bytes(bytes(raw))
    return path


def test_voxel_size_comes_from_the_sform(tmp_path):
    sform = np.array([[0, 0, 0.25, 1], [0.3, 0, 0, 2], [0, 0.2, 0, 3], [0, 0, 0, 1]])  # axes permuted
    path = _save_with(tmp_path, sform=sform, pixdim=(0.3, 0.2, 0.25))
    assert load_segmentation(path).voxel_sizes == pytest.approx((0.3, 0.2, 0.25))


def test_zero_pixdim_without_transform_is_refused(tmp_path):
    path = _save_with(tmp_path, sform_code=0, pixdim=(0.0, 0.0, 0.0))
    with pytest.raises(InputError, match=r"voxel size from the pixdim is \(0, 0, 0\) mm.*--voxel-size"):
        load_segmentation(path)


def test_zero_pixdim_beside_a_valid_sform_is_refused_as_inconsistent(tmp_path):
    path = _save_with(tmp_path, pixdim=(0.0, 0.0, 0.0))
    with pytest.raises(InputError, match=r"disagree: \(0.3, 0.3, 0.3\) mm from the sform but \(0, 0, 0\) mm"):
        load_segmentation(path)


def test_pixdim_that_disagrees_with_the_sform_is_refused(tmp_path):
    path = _save_with(tmp_path, pixdim=(0.5, 0.5, 0.5))
    with pytest.raises(InputError, match=r"disagree: \(0.3, 0.3, 0.3\) mm from the sform but \(0.5, 0.5, 0.5\)"):
        depth_map_from_file(path, tmp_path / "d.nii")


def test_qform_voxel_size_when_there_is_no_sform(tmp_path):
    path = _save_with(tmp_path, sform_code=0, qform_code=1)
    assert load_segmentation(path).voxel_sizes == pytest.approx((0.3, 0.3, 0.3))


def test_explicit_voxel_size_overrides_a_broken_header(tmp_path):
    path = _save_with(tmp_path, pixdim=(0.5, 0.5, 0.5))
    segmentation = load_segmentation(path, voxel_sizes=(0.3, 0.3, 0.3))
    assert segmentation.voxel_sizes == (0.3, 0.3, 0.3)
    written = depth_map_from_file(path, tmp_path / "d.nii", voxel_sizes=(0.3, 0.3, 0.3), also=("thickness",))
    thickness = np.asanyarray(nib.load(written.paths["thickness"]).dataobj)
    np.testing.assert_allclose(thickness[2:8], 1.8, atol=0.01)
    with pytest.raises(InputError, match="voxel sizes"):
        load_segmentation(path, voxel_sizes=(0, 0.3, 0.3))
