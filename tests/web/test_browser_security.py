"""Framing, sniffing and referrer headers; the session cookie's SameSite and Secure flags."""

from tests.conftest import make_app


def _session_cookie(response):
    return next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_every_response_forbids_framing_by_other_sites_and_sniffing(client):
    for url in ("/", "/align/", "/api/v1/jobs/", "/openapi.json", "/no-such-page"):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN", url
        assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'", url
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "same-origin", url


def test_session_cookie_is_lax_and_secure_over_https(instance):
    app = make_app(instance, PROXY_FIX={"x_proto": 1})
    client = app.test_client()
    plain = _session_cookie(client.get("/align/"))
    assert "SameSite=Lax" in plain and "HttpOnly" in plain and "Secure" not in plain
    secure = _session_cookie(app.test_client().get("/align/", headers={"X-Forwarded-Proto": "https"}))
    assert "SameSite=Lax" in secure and "Secure" in secure
