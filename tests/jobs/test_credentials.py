"""The encrypted per-job credential of remote image services."""

import stat

import pytest

from cortico.exceptions import DependencyError
from cortico.jobs.credentials import (
    CREDENTIAL_FILE,
    delete_credential,
    load_credential,
    store_credential,
)

SETTINGS = {"SECRET_KEY": "k" * 64, "JOB_TIME_LIMIT_SECONDS": 60}


def test_round_trip_is_private_and_encrypted(tmp_path):
    store_credential(SETTINGS, tmp_path, "remote-token-123")
    path = tmp_path / CREDENTIAL_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"remote-token-123" not in path.read_bytes()
    assert load_credential(SETTINGS, tmp_path) == "remote-token-123"
    delete_credential(tmp_path)
    assert not path.exists()
    assert load_credential(SETTINGS, tmp_path) is None
    delete_credential(tmp_path)  # deleting twice is harmless


def test_other_secret_key_cannot_read_it(tmp_path):
    store_credential(SETTINGS, tmp_path, "remote-token-123")
    with pytest.raises(DependencyError, match="SECRET_KEY"):
        load_credential({**SETTINGS, "SECRET_KEY": "other"}, tmp_path)


def test_expired_credential_is_refused(tmp_path, monkeypatch):
    import time

    store_credential(SETTINGS, tmp_path, "remote-token-123")
    later = time.time() + SETTINGS["JOB_TIME_LIMIT_SECONDS"] + 3600 + 120
    monkeypatch.setattr(time, "time", lambda: later)
    with pytest.raises(DependencyError, match="expired"):
        load_credential(SETTINGS, tmp_path)
