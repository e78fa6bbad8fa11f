"""App factory, health, OpenAPI, docs pages, CORS and proxy settings."""

import re

from tests.conftest import make_app


def test_health_is_200_and_empty(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.data == b""


def test_openapi_document_is_valid(client):
    from openapi_spec_validator import validate

    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert {"/health", "/api/v1/jobs/", "/api/v1/jobs/{job_id}", "/api/v1/workers/health"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    job = spec["components"]["schemas"]["Job"]["properties"]
    assert all(field.get("description") for field in job.values())


def test_docs_pages_use_vendored_assets_only(client):
    for path in ("/redoc", "/swagger-ui"):
        page = client.get(path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert not re.search(r"""(src|href)=["']https?://""", html), path
    assert client.get("/static/vendor/redoc/redoc.standalone.js").status_code == 200
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_landing_page_links_to_api_docs(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/redoc"' in page and 'href="/openapi.json"' in page


def test_unknown_route_is_json_404_and_errors_never_leak_tracebacks(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404


def test_cors_preflight_follows_origin_regex(instance):
    app = make_app(instance, CORS_ORIGINS=r"https://([a-z]+\.)?voluba\.org", CORS_MAX_AGE=123)
    client = app.test_client()
    headers = {
        "Origin": "https://app.voluba.org",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization",
    }
    allowed = client.options("/api/v1/jobs/", headers=headers)
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.voluba.org"
    assert allowed.headers["Access-Control-Max-Age"] == "123"
    for origin in ("https://evil.example", "https://app.voluba.org.evil.net", "https://voluba.org:8443"):
        denied = client.options("/api/v1/jobs/", headers={**headers, "Origin": origin})
        assert "Access-Control-Allow-Origin" not in denied.headers, origin


def test_proxy_fix_uses_forwarded_headers(instance):
    app = make_app(instance, PROXY_FIX={"x_for": 1, "x_proto": 1, "x_host": 1})

    @app.get("/_where")
    def where():
        from flask import request

        return request.url

    url = (
        app.test_client()
        .get("/_where", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "cortico.example.org"})
        .get_data(as_text=True)
    )
    assert url == "https://cortico.example.org/_where"


def test_request_size_limit_is_a_clear_413(instance):
    app = make_app(instance, MAX_CONTENT_LENGTH=100)
    response = app.test_client().post(
        "/api/v1/jobs/", data=b"x" * 1000, headers={"Content-Type": "application/octet-stream"}
    )
    assert response.status_code in (401, 413)
    from tests.conftest import add_user

    headers = add_user(app, "bob")
    response = app.test_client().post(
        "/api/v1/jobs/", data=b"x" * 1000, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "limit of 100 bytes" in response.json["message"]
