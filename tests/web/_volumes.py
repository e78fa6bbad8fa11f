"""Small synthetic NIfTI files and upload helpers for the image-store tests."""

import gzip
import io

import nibabel as nib
import numpy as np


def nifti_bytes(data, affine=None, compressed=True, zooms=None):
    """The bytes of a NIfTI-1 file holding ``data`` (gzipped unless ``compressed`` is False)."""
    image = nib.Nifti1Image(np.asarray(data), np.diag([1.0, 1.0, 1.0, 1.0]) if affine is None else affine)
    image.header.set_xyzt_units("mm")
    if zooms is not None:
        image.header.set_zooms(zooms)
    raw = image.to_bytes()
    return gzip.compress(raw, mtime=0) if compressed else raw


def ramp(shape=(20, 12, 8), dtype=np.float32):
    """A volume whose voxel (i, j, k) holds i + 100 j + 10000 k (every voxel differs)."""
    i, j, k = np.indices(shape)
    return (i + 100 * j + 10000 * k).astype(dtype)


def labels(shape=(20, 12, 8)):
    """A segmentation with the cortical-voluba classes 0, 100 and 200."""
    volume = np.zeros(shape, np.uint8)
    volume[:, :, 3:5] = 100
    volume[:, :, 5:] = 200
    return volume


def upload(
    client, headers, content, file_name, url="/image-service/upload", segmentation=None, announce=True, **fields
):
    """POST ``content`` as the multipart field ``image`` named ``file_name``."""
    extra = dict(headers)
    if announce:
        extra["X-CHUNMA-FILESIZE"] = str(len(content))
    if segmentation is not None:
        extra["X-CHUNMA-SEGMENTATION"] = "true" if segmentation else "false"
    data = {"image": (io.BytesIO(content), file_name), **fields}
    return client.post(url, headers=extra, data=data, content_type="multipart/form-data")


def cortex_slab(shape=(12, 12, 24), pial=6, white=12):
    """A flat cortex: 0 outside below ``pial``, 100 cortex up to ``white``, 200 white matter above."""
    volume = np.zeros(shape, np.uint8)
    volume[:, :, pial:white] = 100
    volume[:, :, white:] = 200
    return volume


def mode_app(request, instance, **overrides):
    """An app in the embedded (SQLite + filesystem queue) or distributed (PostgreSQL + Redis) mode."""
    from tests.conftest import make_app

    if request.param == "embedded":
        return make_app(instance, **overrides)
    redis_url = request.getfixturevalue("redis_url")
    postgres_url = request.getfixturevalue("postgres_url")
    return make_app(instance, BROKER_URL=redis_url, DATABASE_URL=postgres_url, **overrides)


def poll(client, url, timeout=120, headers=None):
    """Poll a /v0 status URL until ``finished``; returns (final body, every message seen)."""
    import time

    from tests.conftest import scaled

    messages = []
    deadline = time.monotonic() + scaled(timeout)
    while time.monotonic() < deadline:
        response = client.get(url, headers=headers or {})
        assert response.status_code == 200, response.json
        body = response.json
        if not messages or messages[-1] != body["message"]:
            messages.append(body["message"])
        if body["finished"]:
            return body, messages
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish in {scaled(timeout):g} s; messages: {messages}")
