import gzip
import struct

import nibabel as nib
import numpy as np
import pytest

from cortico.exceptions import InputError, LimitExceededError
from cortico.images import inspect_nifti, preflight_nifti


def _raw_header(shape=(10, 10, 10), dtype=np.uint8, edit=None):
    header = nib.Nifti1Header()
    header.set_data_shape(shape)
    header.set_data_dtype(dtype)
    header.set_sform(np.eye(4), code=1)
    header["vox_offset"] = 352
    if edit is not None:
        edit(header)
    return header.binaryblock + b"\0" * 4  # extension flag; data starts at 352


def test_values_and_sizes_of_a_gzipped_volume(make_nifti):
    data = np.arange(4 * 5 * 6, dtype=np.int16).reshape(4, 5, 6) - 7
    path = make_nifti(data, name="brain.nii.gz")
    extra = inspect_nifti(path, "brain.nii.gz")
    assert extra["fileName"] == "brain.nii.gz"
    assert extra["fileSize"] == path.stat().st_size
    assert extra["fileSizeUncompressed"] == 352 + data.nbytes
    assert extra["data"] == {"minValue": "-7", "maxValue": "112"}
    assert extra["nifti"]["size"] == [4, 5, 6]
    assert extra["nifti"]["dataType"] == "signed_short"
    assert extra["warnings"] == []


def test_scaling_big_endian_and_nan_are_accounted_for(tmp_path):
    data = np.array([[[1.0, 2.0], [np.nan, 4.0]]], dtype=">f4")
    header = nib.Nifti1Header(endianness=">")
    image = nib.Nifti1Image(data, np.eye(4), header)
    path = tmp_path / "be.nii"
    nib.save(image, path)
    extra = inspect_nifti(path, "be.nii")
    assert extra["nifti"]["byteOrder"] == "BIG_ENDIAN"
    assert extra["data"] == {"minValue": "1", "maxValue": "4"}
    assert "1 voxel(s) are NaN or infinite" in extra["warnings"]

    scaled = nib.Nifti1Image(np.array([[[0, 10]]], dtype=np.int16), np.eye(4))
    scaled.header.set_slope_inter(0.5, -1.0)
    nib.save(scaled, tmp_path / "scaled.nii")
    extra = inspect_nifti(tmp_path / "scaled.nii", "scaled.nii")
    assert extra["data"] == {"minValue": "-1", "maxValue": "4"}
    assert extra["nifti"]["slope"] == 0.5
    assert extra["neuroglancer"]["data_type"] == "float32"


def test_gzip_bomb_is_stopped_early(tmp_path):
    path = tmp_path / "bomb.nii.gz"
    with gzip.open(path, "wb", compresslevel=9) as stream:
        stream.write(_raw_header((10, 10, 10)))
        zeros = b"\0" * (1 << 20)
        for _ in range(200):  # 200 MiB of zeros behind a 1000-byte volume
            stream.write(zeros)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(InputError, match="decompresses to more than the 1352 bytes its NIfTI header declares"):
        inspect_nifti(path, "bomb.nii.gz")


def test_header_declaring_a_huge_volume_hits_the_limit(tmp_path):
    path = tmp_path / "huge.nii.gz"
    with gzip.open(path, "wb") as stream:
        stream.write(_raw_header((3000, 3000, 3000), np.float32))
    with pytest.raises(LimitExceededError, match=r"shape \(3000, 3000, 3000\) \(float32\) needs 108000000352 bytes"):
        inspect_nifti(path, "huge.nii.gz")


def test_truncated_and_corrupt_gzip(make_nifti, tmp_path):
    path = make_nifti(np.random.default_rng(0).random((20, 20, 20)).astype(np.float32))
    content = path.read_bytes()
    truncated = tmp_path / "cut.nii.gz"
    truncated.write_bytes(content[: len(content) // 2])
    with pytest.raises(InputError, match="truncated gzip file"):
        inspect_nifti(truncated, "cut.nii.gz")
    corrupt = tmp_path / "crc.nii.gz"
    corrupt.write_bytes(content[:-8] + bytes([content[-8] ^ 0xFF]) + content[-7:])
    with pytest.raises(InputError, match="corrupt gzip data"):
        inspect_nifti(corrupt, "crc.nii.gz")


def test_truncated_raw_nifti(tmp_path):
    path = tmp_path / "short.nii"
    path.write_bytes(_raw_header((10, 10, 10)) + b"\1" * 600)
    with pytest.raises(
        InputError, match="truncated NIfTI file: the header declares 1000 data bytes at offset 352, the file holds 600"
    ):
        inspect_nifti(path, "short.nii")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 600, "not a NIfTI file: its first 4 bytes"),
        (b"ab", "too short to be NIfTI: 2 byte"),
        (gzip.compress(b"hello world, not an image" * 40), "not a NIfTI file"),
    ],
)
def test_non_nifti_files(tmp_path, content, message):
    path = tmp_path / "x.nii.gz"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        inspect_nifti(path, "x.nii.gz")


def _set_dim(index, value):
    def edit(header):
        header["dim"][index] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set_dim(2, 0), r"dimension 2 \(y\) has size 0"),
        (_set_dim(0, 9), "declares 9 dimensions"),
        (lambda h: h.__setitem__("srow_x", [np.nan, 0, 0, 0]), "affine .* contains NaN"),
        (lambda h: h.__setitem__("pixdim", [1, 0, 1, 1, 1, 1, 1, 1]), "voxel sizes must be finite and positive"),
        (lambda h: h.__setitem__("magic", b"ni1"), "two-file NIfTI pair"),
        (lambda h: h.__setitem__("datatype", 32), r"complex data \(complex64\)"),
        (lambda h: h.__setitem__("datatype", 1234), "unknown NIfTI data type code 1234"),
        (lambda h: h.__setitem__("vox_offset", 100), "vox_offset 100 points inside the 348-byte header"),
    ],
)
def test_bad_headers(tmp_path, edit, message):
    path = tmp_path / "bad.nii"
    path.write_bytes(_raw_header(edit=edit) + b"\0" * 8000)
    with pytest.raises(InputError, match=message):
        inspect_nifti(path, "bad.nii")
    with pytest.raises(InputError, match=message):
        preflight_nifti(path.read_bytes()[:2048], "bad.nii")


def test_absurd_nifti2_dimension(tmp_path):
    header = nib.Nifti2Header()
    header.set_data_shape((10, 10, 10))
    header["dim"][1] = 10**9
    header["vox_offset"] = 544
    path = tmp_path / "absurd.nii"
    path.write_bytes(header.binaryblock + b"\0" * 4)
    with pytest.raises(InputError, match="dimension 1 \\(x\\) has size 1000000000, more than the 65536 accepted"):
        inspect_nifti(path, "absurd.nii")


def test_nifti2_and_4d_single_volume(make_nifti):
    path = make_nifti(np.ones((3, 4, 5, 1), np.uint8), klass=nib.Nifti2Image, name="v2.nii")
    extra = inspect_nifti(path, "v2.nii")
    assert extra["nifti"]["niftiVersion"] == "Nifti2"
    assert extra["neuroglancer"]["size"] == [3, 4, 5]
    with pytest.raises(InputError, match=r"only 3D volumes are accepted, this one has shape \(3, 4, 5, 2\)"):
        inspect_nifti(make_nifti(np.ones((3, 4, 5, 2), np.uint8), name="t.nii"), "t.nii")


def test_suffix_mismatch_is_a_warning(make_nifti):
    path = make_nifti(np.ones((2, 2, 2), np.uint8), name="plain.nii")
    extra = inspect_nifti(path, "plain.nii.gz")
    assert any(".gz suffix does not match" in warning for warning in extra["warnings"])


def test_concatenated_gzip_members_are_one_stream(tmp_path):
    data = np.arange(1000, dtype=np.uint8).reshape(10, 10, 10)
    blob = _raw_header((10, 10, 10)) + data.tobytes()
    path = tmp_path / "multi.nii.gz"
    path.write_bytes(gzip.compress(blob[:500]) + gzip.compress(blob[500:]))
    assert inspect_nifti(path, "multi.nii.gz")["data"] == {"minValue": "0", "maxValue": "255"}


def test_bad_file_names(make_nifti):
    path = make_nifti(np.ones((2, 2, 2), np.uint8))
    for name in ("volume.png", "../volume.nii", ".nii"):
        with pytest.raises(InputError, match="must"):
            inspect_nifti(path, name)


def test_preflight_reads_the_header_only(make_nifti):
    path = make_nifti(np.random.default_rng(1).random((40, 40, 40)).astype(np.float32), name="big.nii.gz")
    first = path.read_bytes()[:2048]
    preflight = preflight_nifti(first, "big.nii.gz", file_size=path.stat().st_size)
    full = inspect_nifti(path, "big.nii.gz")
    assert "data" not in preflight
    for key in ("fileName", "fileSize", "fileSizeUncompressed", "nifti", "neuroglancer", "warnings"):
        assert preflight[key] == full[key]


def test_segmentation_labels(make_nifti):
    labels = np.array([[[0, 3], [42, 2]]], dtype=np.int16)
    extra = inspect_nifti(make_nifti(labels, name="seg.nii.gz"), "seg.nii.gz", segmentation=True)
    assert extra["neuroglancer"]["type"] == "segmentation"
    assert extra["neuroglancer"]["data_type"] == "uint16"
    floats = make_nifti(np.array([[[0.0, 100.0, 200.0]]], np.float32), name="f.nii.gz")
    assert inspect_nifti(floats, "f.nii.gz", segmentation=True)["neuroglancer"]["data_type"] == "uint32"
    with pytest.raises(InputError, match="non-negative integers, found -1"):
        inspect_nifti(make_nifti(labels - 1, name="neg.nii.gz"), "neg.nii.gz", segmentation=True)
    with pytest.raises(InputError, match="must be integers, found fractional"):
        inspect_nifti(make_nifti(np.array([[[0.5]]], np.float32), name="h.nii.gz"), "h.nii.gz", segmentation=True)


def test_uncompressed_nifti_values(tmp_path):
    header = _raw_header((2, 2, 2))
    path = tmp_path / "tiny.nii"
    path.write_bytes(header + struct.pack("<8B", *range(8)))
    assert inspect_nifti(path, "tiny.nii")["data"] == {"minValue": "0", "maxValue": "7"}


def test_header_extensions_are_skipped(tmp_path):
    data = np.arange(27, dtype=np.uint8).reshape(3, 3, 3) + 5
    image = nib.Nifti1Image(data, np.eye(4))
    image.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"x" * 100))
    path = tmp_path / "ext.nii.gz"
    nib.save(image, path)
    extra = inspect_nifti(path, "ext.nii.gz")
    assert extra["fileSizeUncompressed"] > 352 + 100 + data.nbytes
    assert extra["data"] == {"minValue": "5", "maxValue": "31"}
