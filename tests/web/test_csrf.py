"""Browser forms: a CSRF token, and the browser's Origin must be this site."""

import re


def _token(client):
    page = client.get("/align/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_form_from_another_origin_is_refused_even_with_a_token(client):
    token = _token(client)
    data = {"csrf_token": token, "segmentation_name": "seg"}
    refused = client.post("/align/depth", data=data, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 400
    assert "the form was sent from another site (https://evil.example)" in refused.get_data(as_text=True)
    assert client.post("/align/depth", data=data, headers={"Origin": "null"}).status_code == 400
    # Same origin (or no Origin header) is judged by the token alone: the job is queued.
    for headers in ({"Origin": "http://localhost"}, {}):
        response = client.post("/align/depth", data=data, headers=headers)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        assert response.headers["Location"].startswith("/align/jobs/")
