"""`cortico user` / `cortico token` / `cortico initdb` / `flask --app cortico initdb`."""

import os
import subprocess
import sys

from click.testing import CliRunner
from sqlalchemy import create_engine, inspect

from cortico.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_users_and_tokens_lifecycle(tmp_path):
    inst = str(tmp_path)
    assert run("user", "add", "alice", "--instance", inst).exit_code == 0
    duplicate = run("user", "add", "alice", "--instance", inst)
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    created = run("token", "create", "alice", "--label", "laptop", "--instance", inst)
    assert created.exit_code == 0
    token = created.output.strip()
    assert token.startswith("ctk_") and len(token) > 40
    listing = run("token", "list", "alice", "--instance", inst)
    assert token[:12] in listing.output and "active" in listing.output and "laptop" in listing.output
    assert token not in listing.output
    assert run("token", "revoke", "alice", token[:12], "--instance", inst).exit_code == 0
    assert "revoked" in run("token", "list", "alice", "--instance", inst).output
    missing = run("token", "create", "nobody", "--instance", inst)
    assert missing.exit_code != 0 and "No user named 'nobody'" in missing.output


def test_initdb_both_ways(tmp_path):
    result = run("initdb", "--instance", str(tmp_path / "a"))
    assert result.exit_code == 0, result.output
    assert "users" in inspect(create_engine(f"sqlite:///{tmp_path / 'a' / 'cortico.sqlite3'}")).get_table_names()
    env = dict(os.environ, INSTANCE_PATH=str(tmp_path / "b"))
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "cortico", "initdb"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "database ready" in done.stdout
    assert "jobs" in inspect(create_engine(f"sqlite:///{tmp_path / 'b' / 'cortico.sqlite3'}")).get_table_names()


def test_version():
    from cortico import __version__

    assert run("--version").output.strip() == f"cortico, version {__version__}"
