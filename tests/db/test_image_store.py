"""Expiry and clean-up of the image store (the workers' retention sweep calls this)."""

import os
import time
from datetime import timedelta

import pytest

from cortico.db import Database, Image, upgrade_schema
from cortico.db.accounts import create_anonymous_user, create_user
from cortico.db.image_store import ImageStore
from cortico.db.models import utcnow
from tests.web._volumes import nifti_bytes, ramp


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    upgrade_schema(url)
    db = Database(url)
    yield ImageStore(db, tmp_path / "storage", {"IMAGE_MAX_UNCOMPRESSED_BYTES": 1 << 30})
    db.dispose()


def add(store, owner_id, name, tmp_path, age_days=0):
    path = tmp_path / "in.nii.gz"
    path.write_bytes(nifti_bytes(ramp()))
    image = store.add_file(owner_id, path, f"{name}.nii.gz")
    if age_days:
        with store.db.session() as session:
            session.get(Image, image.id).created_at = utcnow() - timedelta(days=age_days)
    return image


def test_purge_expires_anonymous_volumes_and_keeps_registered_ones(store, tmp_path):
    with store.db.session() as session:
        alice = create_user(session, "alice").id
        anonymous = create_anonymous_user(session).id
    old_anonymous = add(store, anonymous, "old", tmp_path, age_days=10)
    new_anonymous = add(store, anonymous, "new", tmp_path)
    old_registered = add(store, alice, "kept", tmp_path, age_days=10)
    assert store.purge(utcnow() - timedelta(days=7)) == 1
    names = {image.name for image in store.list_visible(anonymous)}
    assert names == {"new"}
    assert not store.folder(old_anonymous).exists()
    assert store.folder(new_anonymous).exists() and store.folder(old_registered).exists()
    assert store.purge(utcnow() - timedelta(days=7), keep_registered=False) == 1
    assert store.list_visible(alice) == []


def test_purge_removes_leftovers_older_than_an_hour(store, tmp_path):
    kept_part = store.staging_file()
    kept_part.write_bytes(b"in progress")
    stale_part = store.staging_file()
    stale_part.write_bytes(b"abandoned")
    orphan = store.root / "0123456789abcdef"
    orphan.mkdir()
    (orphan / "volume.nii.gz").write_bytes(b"x")
    hours_ago = time.time() - 7200
    for path in (stale_part, orphan):
        os.utime(path, (hours_ago, hours_ago))
    assert store.purge(utcnow() - timedelta(days=7)) == 2
    assert kept_part.exists() and not stale_part.exists() and not orphan.exists()
