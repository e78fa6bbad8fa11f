import numpy as np
import pytest

from cortico.atlases import load_atlas


@pytest.fixture(scope="session", autouse=True)
def atlas_cache(tmp_path_factory):
    """A fresh cache folder, so the tests exercise the builders too."""
    folder = tmp_path_factory.mktemp("cortico-cache")
    patch = pytest.MonkeyPatch()
    patch.setenv("CORTICO_CACHE_DIR", str(folder))
    yield folder
    patch.undo()


@pytest.fixture(scope="session")
def dk(atlas_cache):
    return load_atlas("dk")


@pytest.fixture(scope="session")
def dkt(atlas_cache):
    return load_atlas("dkt")


@pytest.fixture(scope="session")
def destrieux(atlas_cache):
    return load_atlas("destrieux")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
