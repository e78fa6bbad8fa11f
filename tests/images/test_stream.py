import gzip

import numpy as np
import pytest

from cortico.exceptions import InputError
from cortico.images import iter_encoded


@pytest.mark.parametrize("stored", ["volume.nii.gz", "volume.nii"])
@pytest.mark.parametrize("compressed", [True, False])
def test_downloads_in_both_encodings_hold_the_same_bytes(make_nifti, stored, compressed):
    data = np.random.default_rng(0).random((30, 30, 30)).astype(np.float32)
    path = make_nifti(data, name=stored)
    raw = gzip.decompress(path.read_bytes()) if stored.endswith(".gz") else path.read_bytes()
    body = b"".join(iter_encoded(path, compressed, limit=len(raw)))
    assert (body[:2] == b"\x1f\x8b") == compressed
    assert (gzip.decompress(body) if compressed else body) == raw


def test_decompressed_download_stops_at_the_limit(make_nifti):
    path = make_nifti(np.zeros((50, 50, 50), np.float32))
    with pytest.raises(InputError, match="more than the 1000 bytes"):
        b"".join(iter_encoded(path, False, limit=1000))
