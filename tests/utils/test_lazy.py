"""Packages whose public names are imported from their submodules on first use."""

import importlib
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

LAZY_PACKAGES = ["cortico.align", "cortico.atlases", "cortico.db", "cortico.depth"]


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_lazy_name_is_public_and_is_its_submodule_object(package):
    module = importlib.import_module(package)
    assert set(module._HOMES) <= set(module.__all__)
    for name, home in module._HOMES.items():
        assert name in dir(module)
        assert getattr(module, name) is getattr(importlib.import_module(f"{package}.{home}"), name)
    for name in module.__all__:
        getattr(module, name)


def test_unknown_names_raise_attribute_error():
    import cortico.depth

    with pytest.raises(AttributeError, match="'cortico.depth' has no attribute 'nope'"):
        cortico.depth.nope  # noqa: B018


def test_light_names_do_not_load_the_heavy_submodules():
    code = (
        "import sys\n"
        "from cortico.depth import LabelMapping\n"
        "from cortico.align import PRESETS, INCOMING_SPACES\n"
        "from cortico.atlases import list_atlases\n"
        "import cortico.db\n"
        "print(sorted(m for m in ('numba', 'scipy', 'nibabel', 'alembic', 'ants') if m in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == "[]"
