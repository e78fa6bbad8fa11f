"""Tokens and ownership on the API."""

import pytest

from tests.conftest import add_user


@pytest.fixture
def alice(app):
    return add_user(app, "alice")


@pytest.fixture
def bob(app):
    return add_user(app, "bob")


def _submit(client, headers):
    response = client.post("/api/v1/jobs/", json={"kind": "test.sleepy", "params": {"steps": 1}}, headers=headers)
    assert response.status_code == 202, response.json
    return response.json["id"]


@pytest.mark.parametrize(
    "method,path",
    [("get", "/api/v1/jobs/"), ("post", "/api/v1/jobs/"), ("get", "/api/v1/jobs/abc"), ("delete", "/api/v1/jobs/abc")],
)
def test_no_token_is_401(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    assert response.json["message"] == "Missing Bearer token Authorization header"


@pytest.mark.parametrize("header", ["Bearer ctk_wrong", "Bearer ", "Basic abc", "ctk_x", "Bearer " + "x" * 5000])
def test_wrong_token_is_401(client, alice, header):
    response = client.get("/api/v1/jobs/", headers={"Authorization": header})
    assert response.status_code == 401


def test_revoked_token_is_401(app, client, alice):
    from cortico.db.accounts import list_tokens, revoke_token

    assert client.get("/api/v1/jobs/", headers=alice).status_code == 200
    with app.extensions["cortico.db"].session() as session:
        revoke_token(session, "alice", list_tokens(session, "alice")[0].prefix)
    response = client.get("/api/v1/jobs/", headers=alice)
    assert response.status_code == 401
    assert response.json["message"] == "Invalid or revoked API token."


def test_other_users_job_is_404(client, alice, bob):
    job_id = _submit(client, alice)
    assert client.get(f"/api/v1/jobs/{job_id}", headers=alice).status_code == 200
    for method in ("get", "delete"):
        response = getattr(client, method)(f"/api/v1/jobs/{job_id}", headers=bob)
        assert response.status_code == 404
        assert response.json["message"] == f"No job {job_id!r}."
    assert client.get("/api/v1/jobs/", headers=bob).json == []
    assert [j["id"] for j in client.get("/api/v1/jobs/", headers=alice).json] == [job_id]
    assert client.get(f"/api/v1/jobs/{job_id}", headers=alice).json["state"] == "queued"


def test_unknown_job_is_404(client, alice):
    assert client.get("/api/v1/jobs/doesnotexist", headers=alice).status_code == 404
    assert client.get("/api/v1/jobs/" + "x" * 300, headers=alice).status_code == 404


def test_invalid_submissions_are_422_with_specific_messages(client, alice):
    response = client.post("/api/v1/jobs/", json={"kind": "nope"}, headers=alice)
    assert response.status_code == 422
    assert "Unknown job kind 'nope'" in response.json["message"] and "test.sleepy" in response.json["message"]
    response = client.post("/api/v1/jobs/", json={"kind": "test.sleepy", "params": {"steps": "many"}}, headers=alice)
    assert response.status_code == 422
    assert response.json["message"] == "'steps' must be an integer from 1 to 1000, got 'many'."
    response = client.post("/api/v1/jobs/", json={"params": {}}, headers=alice)
    assert response.status_code == 422
    assert "kind" in str(response.json["errors"])
    response = client.post("/api/v1/jobs/", data="{not json", headers={**alice, "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500


def test_jobs_in_flight_are_limited_per_user(instance):
    from tests.conftest import make_app

    app = make_app(instance, MAX_JOBS_IN_FLIGHT=2)
    client, alice, bob = app.test_client(), add_user(app, "alice"), add_user(app, "bob")
    _submit(client, alice)
    second = _submit(client, alice)
    response = client.post("/api/v1/jobs/", json={"kind": "test.sleepy", "params": {"steps": 1}}, headers=alice)
    assert response.status_code == 429
    assert response.json["message"].startswith("You already have 2 unfinished jobs (the limit is 2)")
    _submit(client, bob)  # the limit is per user
    assert client.delete(f"/api/v1/jobs/{second}", headers=alice).status_code == 200
    _submit(client, alice)
