"""Size limits answer early with a clear 413 and cost little to enforce."""

import io
import time

import pytest

from cortico.atlases import load_atlas
from cortico.exceptions import LimitExceededError
from cortico.paint import read_values_table
from tests.conftest import add_user, make_app


def _wide_table(columns):
    header = "Image-name-unique," + ",".join(f"region{i}" for i in range(columns))
    return f"{header}\na,{','.join('1' for _ in range(columns))}\n".encode()


def test_core_refuses_too_many_columns_before_resolving_names():
    started = time.perf_counter()
    with pytest.raises(LimitExceededError, match="has 50000 value columns; at most 300 are allowed"):
        read_values_table(_wide_table(50000), load_atlas("dk"), max_columns=300)
    assert time.perf_counter() - started < 2.0


def test_api_answers_413_for_too_many_columns(instance):
    app = make_app(instance, PAINT_MAX_COLUMNS=100)
    client, alice = app.test_client(), add_user(app, "alice")
    response = client.post(
        "/api/v1/paint/jobs",
        headers=alice,
        content_type="multipart/form-data",
        data={"table": (io.BytesIO(_wide_table(150)), "wide.csv")},
    )
    assert response.status_code == 413
    assert any("150 value columns; at most 100 are allowed" in e for e in response.json["errors"])
    assert client.get("/api/v1/jobs/", headers=alice).json == []  # nothing queued
