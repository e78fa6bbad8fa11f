import json

import numpy as np
import pytest

from cortico.exceptions import ConflictError
from cortico.images import inspect_nifti, write_precomputed


def _chunk(folder, key, x, y, z, dtype, shape):
    name = f"{x[0]}-{x[1]}_{y[0]}-{y[1]}_{z[0]}-{z[1]}"
    raw = (folder / key / name).read_bytes()
    # (channel, z, y, x), little-endian, C order
    return np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape[::-1]).T


def test_info_and_chunks_hold_the_volume(make_nifti, tmp_path):
    rng = np.random.default_rng(0)
    data = rng.integers(0, 1000, (300, 200, 40)).astype(np.uint16)
    affine = np.diag([0.5, 0.5, 2.0, 1.0])
    affine[:3, 3] = [-10, 20, 30]
    path = make_nifti(data, affine, name="v.nii.gz")
    extra = inspect_nifti(path, "v.nii.gz")
    folder = tmp_path / "store" / "17"
    info = write_precomputed(path, folder, extra)
    on_disk = json.loads((folder / "info").read_text())
    assert on_disk == info
    assert info["type"] == "image" and info["data_type"] == "uint16" and info["num_channels"] == 1
    full = info["scales"][0]
    assert full["size"] == [300, 200, 40]
    assert full["resolution"] == [500000.0, 500000.0, 2000000.0]
    assert full["encoding"] == "raw" and full["voxel_offset"] == [0, 0, 0]
    assert len(info["scales"]) >= 2  # a coarser dyadic scale for zooming out
    chunk_x, chunk_y, chunk_z = full["chunk_sizes"][0]
    x = (chunk_x, min(2 * chunk_x, 300))
    y = (0, min(chunk_y, 200))
    z = (0, min(chunk_z, 40))
    chunk = _chunk(folder, full["key"], x, y, z, "uint16", (x[1] - x[0], y[1] - y[0], z[1] - z[0]))
    assert np.array_equal(chunk, data[x[0] : x[1], y[0] : y[1], z[0] : z[1]])
    with pytest.raises(ConflictError, match="already exists"):
        write_precomputed(path, folder, extra)


def test_segmentation_is_cast_to_unsigned_labels(make_nifti, tmp_path):
    labels = np.zeros((8, 8, 8), np.int16)
    labels[2:5, 3:6, 1:7] = 42
    path = make_nifti(labels, name="seg.nii.gz")
    extra = inspect_nifti(path, "seg.nii.gz", segmentation=True)
    info = write_precomputed(path, tmp_path / "seg", extra)
    assert info["type"] == "segmentation" and info["data_type"] == "uint16"
    chunk = _chunk(tmp_path / "seg", info["scales"][0]["key"], (0, 8), (0, 8), (0, 8), "uint16", (8, 8, 8))
    assert np.array_equal(chunk, labels)


def test_neuroglancer_transform_puts_voxel_centres_on_the_nifti_affine(make_nifti):
    """Neuroglancer voxel i spans [i, i+1) * resolution: its centre (i + 0.5) * res
    must land where the NIfTI affine puts the centre of voxel i (in nm)."""
    affine = np.array([[0, 0, 2.0, -30], [-0.5, 0, 0, 40], [0, 1.5, 0, 7], [0, 0, 0, 1]])
    extra = inspect_nifti(make_nifti(np.zeros((6, 7, 8), np.float32), affine, name="t.nii.gz"), "t.nii.gz")
    transform = np.array(extra["neuroglancer"]["transform"])
    resolution = np.array(extra["neuroglancer"]["resolution"])
    assert np.allclose(resolution, [0.5e6, 1.5e6, 2e6])
    index = np.array([3.0, 2.0, 5.0])
    centre = np.append((index + 0.5) * resolution, 1)
    assert np.allclose(transform @ centre, np.append(1e6 * (affine[:3, :3] @ index + affine[:3, 3]), 1))


def test_micron_units_scale_the_resolution(make_nifti):
    path = make_nifti(np.zeros((2, 2, 2), np.uint8), np.diag([20.0, 20.0, 20.0, 1.0]), units=("micron", "sec"))
    extra = inspect_nifti(path, "volume.nii.gz")
    assert extra["nifti"]["spatialUnits"] == "Micron"
    assert extra["neuroglancer"]["resolution"] == [20000.0, 20000.0, 20000.0]
