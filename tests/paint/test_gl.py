import pytest

from cortico.exceptions import DependencyError
from cortico.paint import _gl


def test_failed_probe_becomes_dependency_error_with_install_hint(monkeypatch):
    monkeypatch.setattr(_gl, "_PROBE", "cortico.paint._no_such_probe_module")
    with pytest.raises(DependencyError, match="apt-get install libegl1 libgl1-mesa-dri"):
        _gl._probe_in_child()


@pytest.mark.gl
def test_context_is_created_once_per_process():
    assert _gl.get_context() is _gl.get_context()
