"""Hostile input answered at the edge with a 4xx, on SQLite and on PostgreSQL
(which refuses NUL characters and strings longer than a column)."""

import io
import re

import pytest

from tests.conftest import add_user


@pytest.fixture
def app(app_on_each_database):
    return app_on_each_database


@pytest.fixture
def alice(app):
    return add_user(app, "alice")


def _operations(client, content_type=None):
    """(method, path) of every documented operation, with ``content_type`` request bodies if given."""
    spec = client.get("/openapi.json").json
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = operation.get("requestBody", {}).get("content", {})
            if content_type is None or content_type in body:
                found.append((method.upper(), path))
    return found


def _fill(path, value):
    return re.sub(r"\{[^}]+\}", value, path)


def _deep(depth):
    return "[" * depth + "]" * depth


def test_deep_json_is_422_on_every_json_route(client, alice):
    routes = _operations(client, "application/json")
    assert len(routes) >= 6
    for method, path in routes:
        response = client.open(
            _fill(path, "x"), method=method, headers=alice, data=_deep(50_000), content_type="application/json"
        )
        assert response.status_code == 422, (method, path, response.status_code)
        assert "nested more than 32 levels deep" in response.json["message"]
        nested_value = '{"values": ' + _deep(40) + "}"
        response = client.open(
            _fill(path, "x"), method=method, headers=alice, data=nested_value, content_type="application/json"
        )
        assert response.status_code == 422, (method, path, response.status_code)


def test_nul_characters_never_reach_the_database(client, alice):
    for method, path in _operations(client):
        url = _fill(path, "a%00b")
        if "{" in path:
            response = client.open(url, method=method, headers=alice)
            assert response.status_code == 404, (method, url, response.status_code)
        response = client.open(_fill(path, "x") + "?name=a%00", method=method, headers=alice)
        assert response.status_code in (404, 405, 422), (method, path, response.status_code)
    for method, path in _operations(client, "application/json"):
        body = {"kind": "test.sleepy", "params": {"name": "a\x00b"}, "image_service_base_url": "x\x00"}
        response = client.open(_fill(path, "x"), method=method, headers=alice, json=body)
        assert response.status_code == 422, (method, path, response.status_code)
        assert "NUL character" in response.json["message"]


def test_nul_in_a_csv_cell_or_a_form_field_is_refused(client, alice):
    table = b"Image-name-unique,Left-superiorfrontal\nrow\x00one,1\n"
    response = client.post(
        "/api/v1/paint/jobs",
        headers=alice,
        content_type="multipart/form-data",
        data={"table": (io.BytesIO(table), "values.csv"), "settings": '{"views": ["top"], "width": 64, "height": 48}'},
    )
    assert response.status_code == 422, response.json
    assert "NUL" in " ".join([response.json["message"], *response.json.get("errors", [])])
    page = client.get("/paint/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/paint/",
        content_type="multipart/form-data",
        data={"csrf_token": token, "atlas": "dk\x00", "table": (io.BytesIO(b"Image-name-unique,x\na,1\n"), "v.csv")},
    )
    assert response.status_code == 422
    assert "The form field 'atlas' contains a NUL character." in response.get_data(as_text=True)
    assert client.get("/api/v1/jobs/", headers=alice).json == []


def test_a_4_mib_csv_cell_is_413(client, alice):
    table = b"Image-name-unique,Left-superiorfrontal\na," + b"1" * (4 << 20) + b"\n"
    response = client.post(
        "/api/v1/paint/jobs",
        headers=alice,
        content_type="multipart/form-data",
        data={"table": (io.BytesIO(table), "values.csv")},
    )
    assert response.status_code == 413
    assert "Line 2 of the uploaded table has a cell longer than 131072 characters." in response.json["errors"]


def test_oversized_json_body_is_413(instance):
    from tests.conftest import make_app

    app = make_app(instance, MAX_JSON_BYTES=1000)
    client, alice = app.test_client(), add_user(app, "alice")
    response = client.post("/api/v1/jobs/", headers=alice, json={"kind": "test.sleepy", "params": {"x": "y" * 2000}})
    assert response.status_code == 413
    assert response.json["message"] == "The JSON body is larger than the limit of 1000 bytes."
