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


def upload(client, headers, content, file_name, url="/image-service/upload", segmentation=None, announce=True,
           **fields):
    """POST ``content`` as the multipart field ``image`` named ``file_name``."""
    extra = dict(headers)
    if announce:
        extra["X-CHUNMA-FILESIZE"] = str(len(content))
    if segmentation is not None:
        extra["X-CHUNMA-SEGMENTATION"] = "true" if segmentation else "false"
    data = {"image": (io.BytesIO(content), file_name), **fields}
    return client.post(url, headers=extra, data=data, content_type="multipart/form-data")
