"""The public surface of cortico.depth and its place in the domain core."""

import subprocess
import sys

import cortico.depth


def test_all_is_sorted_and_complete():
    names = cortico.depth.__all__
    assert names == sorted(names)
    assert len(names) == 18
    public = {n for n in dir(cortico.depth) if not n.startswith("_")}  # dir(): names load lazily
    assert set(names) == public
    for name in names:
        assert getattr(cortico.depth, name) is not None


def test_core_imports_no_adapter_or_framework():
    code = (
        "import sys, cortico.depth; "
        "bad = [m for m in ('flask', 'celery', 'click', 'sqlalchemy', 'cortico.web', "
        "'cortico.jobs', 'cortico.cli', 'cortico.db') if m in sys.modules]; "
        "print(bad)"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"
