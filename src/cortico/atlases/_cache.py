"""On-disk cache of derived arrays (meshes, labels), written atomically.

Files are keyed by the data wheels' versions and a code version, so a new
release or new data never reads stale meshes. Loaded arrays are shared within
the process and read-only.
"""

import functools
import logging
import os
import tempfile
import threading
from pathlib import Path

import numpy as np

from cortico._version import __version__
from cortico.atlases._fsdata import data_version

logger = logging.getLogger(__name__)

# Bump when a builder's output changes.
CACHE_FORMAT = 2

_lock = threading.RLock()  # builders may read other cached groups


def cache_dir():
    """The cache folder: ``$CORTICO_CACHE_DIR`` or ``~/.cache/cortico``, plus ``atlases``."""
    root = os.environ.get("CORTICO_CACHE_DIR") or Path.home() / ".cache" / "cortico"
    return Path(root) / "atlases"


def _cache_path(group):
    return cache_dir() / f"{group}-{data_version()}-cortico{__version__}-f{CACHE_FORMAT}.npz"


def write_npz_atomic(path, arrays):
    """Write ``arrays`` (dict name -> ndarray) to ``path`` via a temporary file and rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, **arrays)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_only(arrays):
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


@functools.lru_cache(maxsize=32)
def _load(path_string):
    with np.load(path_string, allow_pickle=False) as data:
        return _read_only({name: data[name] for name in data.files})


def cached_arrays(group, build):
    """Arrays of ``group`` from the cache, building and storing them when absent.

    Parameters
    ----------
    group : str
        Internal constant naming the content (never user text).
    build : callable
        Returns a dict of name -> ndarray.

    Returns
    -------
    dict of str -> ndarray (read-only, shared in the process)
    """
    path = _cache_path(group)
    with _lock:
        if path.is_file():
            try:
                return _load(str(path))
            except (OSError, ValueError) as exc:
                logger.warning("Rebuilding unreadable cache file %s (%s)", path, exc)
        arrays = {name: np.asarray(value) for name, value in build().items()}
        try:
            write_npz_atomic(path, arrays)
        except OSError as exc:
            logger.warning("Cannot write atlas cache %s (%s); keeping it in memory", path, exc)
            return _read_only(arrays)
        _load.cache_clear()
        return _load(str(path))
