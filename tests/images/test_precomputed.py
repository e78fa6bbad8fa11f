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


_MEASURE = r"""
import json, sys, threading, time
import numpy as np
from cortico.images import inspect_nifti, write_precomputed

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))

peak, done = [0], threading.Event()
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_kib())
        time.sleep(0.005)

path, folder = sys.argv[1], sys.argv[2]
idle = rss_kib()
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
extra = inspect_nifti(path, "big.nii.gz", max_uncompressed_bytes=1 << 30)
info = write_precomputed(path, folder, extra)
done.set()
sampler.join()
print(json.dumps({"idle_kib": idle, "peak_kib": max(peak[0], rss_kib()), "data_type": info["data_type"]}))
"""


def _write_big_scaled_volume(path, shape):
    """A gzipped uint8 volume with a scale slope, written plane by plane (never whole in memory)."""
    import gzip

    import nibabel as nib

    header = nib.Nifti1Header()
    header.set_data_shape(shape)
    header.set_data_dtype(np.uint8)
    header.set_slope_inter(0.5, 10.0)
    header["vox_offset"] = 352
    with gzip.open(path, "wb", compresslevel=1) as stream:
        stream.write(header.binaryblock + b"\0" * (352 - len(header.binaryblock)))
        plane = (np.arange(shape[0] * shape[1]) % 251).astype(np.uint8).tobytes()
        for z in range(shape[2]):
            stream.write(plane[z % 7 :] + plane[: z % 7])


def test_conversion_memory_is_bounded_and_keeps_the_stored_type(tmp_path):
    """256 MiB of uint8 with a slope (issue 12: 3.3 GiB before): checking and converting it
    stays <= 256 MiB above idle."""
    import subprocess
    import sys

    shape = (1024, 512, 512)
    path = tmp_path / "big.nii.gz"
    _write_big_scaled_volume(path, shape)
    folder = tmp_path / "precomputed"
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), str(folder)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    grown_mib = (figures["peak_kib"] - figures["idle_kib"]) / 1024
    print(f"peak RSS above idle converting a 256 MiB volume: {grown_mib:.0f} MiB ({figures})")
    assert grown_mib <= 256, figures
    assert figures["data_type"] == "uint8"  # stored values, no float32 copy (4x the disk)
    info = json.loads((folder / "info").read_text())
    full = info["scales"][0]
    cx, cy, cz = full["chunk_sizes"][0]
    z = 3
    chunk = _chunk(folder, full["key"], (0, cx), (0, cy), (0, cz), "uint8", (cx, cy, cz))
    plane = (np.arange(shape[0] * shape[1]) % 251).astype(np.uint8)
    expected = np.roll(plane, -(z % 7)).reshape(shape[:2], order="F")[:cx, :cy]
    assert np.array_equal(chunk[:, :, z], expected)
    stored = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    assert stored < 1.2 * np.prod(shape)  # full scale + pyramid in uint8
