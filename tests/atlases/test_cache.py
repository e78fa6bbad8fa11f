import numpy as np

from cortico.atlases import _cache


def test_cached_arrays_builds_once_and_reloads_from_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("CORTICO_CACHE_DIR", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"values": np.arange(5, dtype=np.int32)}

    first = _cache.cached_arrays("unit-test", build)
    files = list((tmp_path / "atlases").iterdir())
    assert len(files) == 1 and files[0].name.startswith("unit-test-")
    assert not [f for f in files if f.name.startswith(".tmp-")]
    _cache._load.cache_clear()
    second = _cache.cached_arrays("unit-test", build)
    assert calls == [1]
    np.testing.assert_array_equal(second["values"], np.arange(5))
    assert not second["values"].flags.writeable and not first["values"].flags.writeable


def test_unreadable_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("CORTICO_CACHE_DIR", str(tmp_path))
    path = _cache._cache_path("broken")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a zip file")
    _cache._load.cache_clear()
    arrays = _cache.cached_arrays("broken", lambda: {"x": np.ones(3)})
    np.testing.assert_array_equal(arrays["x"], 1.0)
