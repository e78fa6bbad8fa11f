"""Fuzzing NIfTI header handling: random bytes, truncations, huge dimensions, NaN
affines — every case a clean error or a valid description, memory bounded."""

import gzip
import io
import struct
import tracemalloc

import nibabel as nib
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cortico.exceptions import CorticoError
from cortico.images import PREFLIGHT_BYTES, inspect_nifti, preflight_nifti
from tests.conftest import examples

FUZZ = settings(
    max_examples=examples(80),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MEMORY_LIMIT = 48 * 2**20


def _valid_nifti(shape=(6, 5, 4), dtype=np.int16):
    image = nib.Nifti1Image(np.arange(np.prod(shape), dtype=dtype).reshape(shape), np.diag([0.5, 0.5, 0.5, 1]))
    buffer = io.BytesIO()
    file_map = nib.Nifti1Image.make_file_map({"image": buffer, "header": buffer})
    image.to_file_map(file_map)
    return buffer.getvalue()


VALID = _valid_nifti()
# First byte of every NIfTI-1 header field: half of the corrupted bytes land there, where a
# single byte changes a field's meaning (unit codes, data types, dimensions), so that a CI
# budget of examples still reaches each field.
FIELD_OFFSETS = sorted(offset for _dtype, offset in nib.Nifti1Header.template_dtype.fields.values())


def _check(tmp_path, data, name):
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        for call in (
            lambda: inspect_nifti(path, name),
            lambda: preflight_nifti(data[:PREFLIGHT_BYTES], name, file_size=len(data)),
        ):
            try:
                extra = call()
            except CorticoError as exc:
                assert exc.message and isinstance(exc.message, str)
            else:
                assert extra["fileName"] == name
                assert all(int(n) > 0 for n in extra["nifti"]["size"])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, f"peak {peak} bytes"


@FUZZ
@given(data=st.binary(max_size=2048), gz=st.booleans())
def test_random_bytes(tmp_path, data, gz):
    _check(tmp_path, gzip.compress(data) if gz else data, "x.nii.gz" if gz else "x.nii")


@FUZZ
@given(cut=st.integers(0, len(VALID)), gz=st.booleans())
def test_truncated(tmp_path, cut, gz):
    if gz:
        _check(tmp_path, gzip.compress(VALID)[:cut], "x.nii.gz")
    else:
        _check(tmp_path, VALID[:cut], "x.nii")


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.one_of(st.sampled_from(FIELD_OFFSETS), st.integers(0, 351)), st.integers(0, 255)),
        min_size=1,
        max_size=12,
    )
)
@example(flips=[(123, 0xFF)])  # an undefined xyzt_units code made nibabel raise KeyError (fixed)
def test_corrupted_header_bytes(tmp_path, flips):
    data = bytearray(VALID)
    for offset, value in flips:
        data[offset] = value
    _check(tmp_path, bytes(data), "x.nii")


@FUZZ
@given(dims=st.lists(st.integers(-(2**15), 2**15 - 1), min_size=8, max_size=8))
def test_declared_dimensions(tmp_path, dims):
    data = bytearray(VALID)
    struct.pack_into("<8h", data, 40, *dims)
    _check(tmp_path, bytes(data), "x.nii")
    _check(tmp_path, gzip.compress(bytes(data)), "x.nii.gz")


@FUZZ
@given(
    values=st.lists(st.sampled_from([float("nan"), float("inf"), 0.0, 1e38, -1e38, 1.0]), min_size=12, max_size=12),
    codes=st.tuples(st.integers(0, 4), st.integers(0, 4)),
)
def test_nan_and_degenerate_affines(tmp_path, values, codes):
    data = bytearray(VALID)
    struct.pack_into("<2h", data, 252, *codes)  # qform_code, sform_code
    struct.pack_into("<12f", data, 280, *values)  # srow_x, srow_y, srow_z
    _check(tmp_path, bytes(data), "x.nii")


def test_gzip_bomb_is_refused_without_inflating(tmp_path):
    header = bytearray(VALID[:352])
    struct.pack_into("<8h", header, 40, 3, 2048, 2048, 2048, 1, 1, 1, 1)  # declares 16 GiB of int16
    bomb = gzip.compress(bytes(header) + b"\0" * (64 * 2**20), compresslevel=9)
    assert len(bomb) < 200_000
    path = tmp_path / "bomb.nii.gz"
    path.write_bytes(bomb)
    tracemalloc.start()
    with pytest.raises(CorticoError):
        inspect_nifti(path, "bomb.nii.gz")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < MEMORY_LIMIT


def test_valid_file_is_described(tmp_path):
    path = tmp_path / "ok.nii"
    path.write_bytes(VALID)
    extra = inspect_nifti(path, "ok.nii")
    assert extra["nifti"]["size"] == [6, 5, 4]
    assert float(extra["data"]["minValue"]) == 0 and float(extra["data"]["maxValue"]) == 119
