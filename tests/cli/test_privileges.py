"""`cortico serve/worker --user`: unprivileged services with private instance files."""

import os
import pwd
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cortico.cli import main
from cortico.settings import load_settings
from tests.conftest import REPO


def _python(code, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_new_instance_folders_are_private(tmp_path):
    settings = load_settings(tmp_path / "new-instance")
    assert (tmp_path / "new-instance").stat().st_mode & 0o777 == 0o700
    assert os.stat(settings["STORAGE_PATH"]).st_mode & 0o777 == 0o700
    assert (tmp_path / "new-instance" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_services_create_private_files(tmp_path):
    code = (
        "import os; from cortico.cli._privileges import run_as; run_as(None); "
        "open('db', 'w').close(); os.mkdir('results'); "
        "print(oct(os.stat('db').st_mode & 0o777), oct(os.stat('results').st_mode & 0o777))"
    )
    assert _python(code, tmp_path) == ["0o600", "0o700"]


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_root_switches_to_the_given_user(tmp_path):
    nobody = pwd.getpwnam("nobody")
    code = "import os; from cortico.cli._privileges import run_as; run_as('nobody'); print(os.getuid(), os.getgid())"
    assert _python(code, tmp_path) == [str(nobody.pw_uid), str(nobody.pw_gid)]


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_unknown_user_is_a_usage_error(command):
    result = CliRunner().invoke(main, [command, "--user", "no-such-user-xyz"])
    assert result.exit_code == 2
    assert "No user named 'no-such-user-xyz'" in result.output
