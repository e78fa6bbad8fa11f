"""Browser routes answer errors with an HTML page (navigation, title, sentence); API routes with JSON."""

import pytest


@pytest.mark.parametrize("path", ["/paint/jobs/nope", "/align/jobs/nope"])
def test_unknown_job_link_is_a_page_that_explains(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<nav>" in page and "404 · Not Found" in page
    assert "expired (results are kept 7 days" in page
    assert '"code"' not in page


def test_unknown_page_is_html_and_unknown_api_route_is_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "There is no page at this address." in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-route")
    assert api.status_code == 404 and api.mimetype == "application/json"
    assert api.json["code"] == 404
    v0 = client.get("/v0/no-such-route")
    assert v0.status_code == 404 and v0.mimetype == "application/json"


def test_wrong_method_on_a_page_keeps_allow_header(client):
    response = client.delete("/paint/")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.data[:4] == b"\x00\x00\x01\x00"  # ICO header
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
