"""The `cortico` group: complete --help without importing the commands, light start."""

import importlib
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cortico import __version__
from cortico.cli import COMMANDS, main
from tests.conftest import REPO

HEAVY = ("numpy", "scipy", "nibabel", "sqlalchemy", "alembic", "flask", "celery", "cortico.db", "cortico.web")


def modules_after(args):
    """The heavy modules loaded by a fresh `cortico ARGS` process, and its output."""
    script = (
        "import sys, json, contextlib, io\n"
        "from cortico.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        f"    code = main.main({args!r}, standalone_mode=False)\n"
        f"print(json.dumps([[m for m in {HEAVY!r} if m in sys.modules], out.getvalue()]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO, env=_env()
    )
    return json.loads(done.stdout.splitlines()[-1])


def _env():
    import os

    return dict(os.environ, PYTHONPATH=str(REPO / "src"))


@pytest.mark.parametrize("name", list(COMMANDS))
def test_listed_summary_is_the_first_line_of_the_command_help(name):
    module_name, attr, summary = COMMANDS[name]
    command = getattr(importlib.import_module(module_name), attr)
    assert command.name == name
    assert command.help.strip().splitlines()[0] == summary


def test_help_lists_every_command_with_its_full_summary():
    result = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    for name, (_module, _attr, summary) in COMMANDS.items():
        assert f"  {name}" in result.output and summary in result.output


def test_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["paitn"])
    assert result.exit_code == 2 and "No such command 'paitn'" in result.output


def test_version_and_help_import_nothing_heavy():
    heavy, output = modules_after(["--version"])
    assert output.strip() == f"cortico, version {__version__}" and heavy == []
    heavy, output = modules_after(["--help"])
    assert "Commands:" in output and heavy == []


def test_atlas_list_needs_no_database_web_or_scipy():
    heavy, output = modules_after(["atlas", "list"])
    assert output.splitlines()[0].startswith("dk ")
    assert not {"scipy", "sqlalchemy", "alembic", "flask", "celery", "cortico.db", "cortico.web"} & set(heavy)
