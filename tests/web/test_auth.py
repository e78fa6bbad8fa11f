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


def _user_count(app):
    from sqlalchemy import func, select

    from cortico.db import User

    with app.extensions["cortico.db"].session() as session:
        return session.execute(select(func.count()).select_from(User)).scalar()


def _browser(app, address="192.0.2.1"):
    from tests.web.test_align_page import csrf

    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client, csrf(client)


def test_a_swept_anonymous_owner_never_sees_the_next_users_objects(app):
    """The retention sweep deletes an anonymous owner whose browser still has its cookie;
    the next user must not inherit its id, and the old cookie must open nothing of theirs."""
    from datetime import timedelta

    from cortico.db.models import utcnow
    from cortico.jobs._retention import purge_expired
    from tests.web._volumes import labels, nifti_bytes, upload
    from tests.web.test_align_page import post_volume

    old_browser, token = _browser(app)
    assert post_volume(old_browser, nifti_bytes(labels()), "mine.nii.gz", token).status_code == 303
    runtime = app.extensions["celery"].cortico
    purge_expired(runtime, now=utcnow() + timedelta(days=365))  # the anonymous owner and its volume expire
    assert _user_count(app) == 0

    carol = add_user(app, "carol")
    private = upload(app.test_client(), carol, nifti_bytes(labels()), "carol-private.nii.gz", url="/api/v1/images/")
    assert private.status_code == 201, private.json

    page = old_browser.get("/align/")
    assert page.status_code == 200
    assert "carol-private" not in page.get_data(as_text=True)
    assert old_browser.get(f"/align/volumes/{private.json['id']}").status_code == 404
    deleted = old_browser.post(f"/align/volumes/{private.json['id']}/delete", data={"csrf_token": token})
    assert deleted.status_code == 404
    assert app.test_client().get(f"/api/v1/images/{private.json['id']}", headers=carol).status_code == 200

    # The stale session becomes a new owner when it stores something, never a 500.
    assert post_volume(old_browser, nifti_bytes(labels()), "again.nii.gz", token).status_code == 303
    assert "again</a>" in old_browser.get("/align/").get_data(as_text=True)
    assert _user_count(app) == 2


def test_a_cookie_of_a_deleted_owner_is_no_session(app):
    from sqlalchemy import delete

    from cortico.db import User
    from tests.web._volumes import labels, nifti_bytes
    from tests.web.test_align_page import post_volume

    browser, token = _browser(app)
    assert post_volume(browser, nifti_bytes(labels()), "v.nii.gz", token).status_code == 303
    with app.extensions["cortico.db"].session() as session:
        session.execute(delete(User))
    for url in ("/align/", "/paint/", "/align/jobs/abc"):
        assert browser.get(url).status_code in (200, 404), url
    assert "v</a>" not in browser.get("/align/").get_data(as_text=True)


def test_looking_at_a_page_creates_no_owner(app):
    client = app.test_client()
    for url in ("/align/", "/paint/", "/"):
        assert client.get(url).status_code == 200
    assert _user_count(app) == 0


def _anonymous_depth_job(app, address):
    from tests.web._volumes import cortex_slab, nifti_bytes
    from tests.web.test_align_page import post_volume

    browser, token = _browser(app, address)
    stored = post_volume(browser, nifti_bytes(cortex_slab()), "seg.nii.gz", token, segmentation="true")
    if stored.status_code != 303:
        return stored  # storing counts as new work too
    return browser.post("/align/depth", data={"csrf_token": token, "segmentation_name": "seg"})


def test_anonymous_jobs_are_limited_per_client_address_and_globally(instance):
    from tests.conftest import make_app

    app = make_app(instance, ANONYMOUS_MAX_JOBS_PER_ADDRESS=1, ANONYMOUS_MAX_JOBS_IN_FLIGHT=2)
    assert _anonymous_depth_job(app, "192.0.2.1").status_code == 303
    # A new browser session from the same address is a new owner, but shares the address's limit.
    refused = _anonymous_depth_job(app, "192.0.2.1")
    assert refused.status_code == 429
    assert "Your network address already has 1 unfinished jobs" in refused.get_data(as_text=True)
    assert _anonymous_depth_job(app, "192.0.2.2").status_code == 303
    refused = _anonymous_depth_job(app, "192.0.2.3")
    assert refused.status_code == 429
    assert "running 2 jobs for visitors without an account" in refused.get_data(as_text=True)
    # Users with a token are not counted against the visitors' limits.
    alice = add_user(app, "alice")
    response = app.test_client().post("/api/v1/jobs/", json={"kind": "test.sleepy", "params": {}}, headers=alice)
    assert response.status_code == 202
