"""'Your recent jobs' on /paint/ and /align/: the session owner's jobs only, stop and delete."""

import re

from tests.web.test_paint_pages import GOOD_CSV, csrf_token, form_data


def submit_painting(client):
    import io

    data = form_data(csrf_token(client), table=(io.BytesIO(GOOD_CSV), "thickness.csv"))
    response = client.post("/paint/", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[1]


def test_paint_form_lists_the_sessions_jobs_and_deletes_finished_ones(app):
    client, stranger = app.test_client(), app.test_client()
    assert "Your recent jobs" not in client.get("/paint/").get_data(as_text=True)
    job_id = submit_painting(client)
    page = client.get("/paint/").get_data(as_text=True)
    assert "Your recent jobs" in page and f"/paint/jobs/{job_id}" in page and "thickness.csv" in page
    assert f"/paint/jobs/{job_id}/cancel" in page  # queued: it can be stopped, not deleted
    assert job_id not in stranger.get("/paint/").get_data(as_text=True)

    token = csrf_token(client)
    refused = client.post(f"/paint/jobs/{job_id}/delete", data={"csrf_token": token})
    assert refused.status_code == 409 and "stop it before deleting it" in refused.get_data(as_text=True)
    assert client.post(f"/paint/jobs/{job_id}/cancel", data={"csrf_token": token}).status_code == 303
    page = client.get("/paint/").get_data(as_text=True)
    assert re.search(rf'action="/paint/jobs/{job_id}/delete"[^>]*data-confirm=', page)

    assert stranger.post(f"/paint/jobs/{job_id}/delete", data={"csrf_token": csrf_token(stranger)}).status_code == 404
    deleted = client.post(f"/paint/jobs/{job_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303 and deleted.headers["Location"].endswith("/paint/#my-jobs")
    assert client.get(f"/paint/jobs/{job_id}").status_code == 404
    assert "Your recent jobs" not in client.get("/paint/").get_data(as_text=True)


def test_delete_needs_the_csrf_token(app):
    client = app.test_client()
    job_id = submit_painting(client)
    assert client.post(f"/paint/jobs/{job_id}/delete").status_code == 400
