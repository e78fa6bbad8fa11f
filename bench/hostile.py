"""Hostile requests against every route, on SQLite and on PostgreSQL: how many answer 5xx.

Sends, through the in-process test client, what an attacker would: NUL bytes,
300-character and traversal names in every path parameter, NUL in query strings,
JSON nested 50,000 deep or holding NUL on every JSON route, non-UTF-8 bodies, a
4 MiB CSV cell, a CSV of 480,000 rows, 300,000 landmark pairs, a 300-character
upload name, a stale session cookie, another site's Origin. Prints the number of
requests, the 5xx among them (target 0) and the slowest request.

Run: python bench/hostile.py [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

import argparse
import io
import json
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NAMES = ["\x00", "a\x00b", "x" * 300, "../../etc/passwd", "..%2F..%2Fetc", "name\r\nX-Injected: 1"]


def _app(instance, database_url):
    from cortico.db import upgrade_schema
    from cortico.web import create_app

    overrides = {"INSTANCE_PATH": str(instance), "MAX_JOBS_IN_FLIGHT": 100000}
    if database_url:
        overrides["DATABASE_URL"] = database_url
    app = create_app(overrides)
    app.config["TESTING"] = True
    app.config["WTF_CSRF_ENABLED"] = False
    upgrade_schema(app.config["DATABASE_URL"])
    return app


def _token(app, name):
    from cortico.db.accounts import create_token, create_user

    with app.extensions["cortico.db"].session() as session:
        create_user(session, name)
        return {"Authorization": f"Bearer {create_token(session, name)}"}


def _requests(app, client, alice):
    """(label, kwargs for client.open) of every hostile request."""
    spec = client.get("/openapi.json").json
    found = []
    for rule in app.url_map.iter_rules():
        if "<" not in rule.rule or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for name in NAMES:
                url = re.sub(
                    r"<(?:[^:>]+:)?([^>]+)>", lambda m, n=name: n if "int" not in m.group(0) else "1", rule.rule
                )
                found.append((f"path {method}", {"path": url, "method": method, "headers": alice}))
    json_routes = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                url = re.sub(r"\{[^}]+\}", "x", path)
                found.append(("query NUL", {"path": url + "?limit=1%00&name=%00", "method": method, "headers": alice}))
                if "application/json" in operation.get("requestBody", {}).get("content", {}):
                    json_routes.append((method.upper(), url))
    deep = "[" * 50_000 + "]" * 50_000
    for method, url in json_routes:
        for body in (deep, '{"a": "\\u0000"}', '{"kind": "paint\\u0000", "params": {}}', b"\xff\xfe{", "1" * 100):
            found.append(
                (
                    "json body",
                    {"path": url, "method": method, "headers": alice, "data": body, "content_type": "application/json"},
                )
            )
    csv_header = b"Image-name-unique,Left-superiorfrontal\n"
    tables = {
        "4 MiB cell": csv_header + b"a," + b"1" * (4 << 20) + b"\n",
        "NUL cell": csv_header + b"a\x00,1\n",
        "480,000 rows": csv_header + b"".join(b"%d,1\n" % i for i in range(480_000))[:4_700_000],
    }
    for label, table in tables.items():
        found.append(
            (
                f"csv {label}",
                {
                    "path": "/api/v1/paint/jobs",
                    "method": "POST",
                    "headers": alice,
                    "content_type": "multipart/form-data",
                    "data": {"table": (io.BytesIO(table), "values.csv")},
                },
            )
        )
    pair = {"source_point": [0, 0, 0], "target_point": [1, 1, 1]}
    alignment = {
        "image_service_base_url": "http://localhost/image-service/",
        "image_name": "a",
        "depth_map_name": "b",
        "transformation_matrix": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
    }
    for label, pairs in (("300,000 pairs", [pair] * 300_000), ("1 MB name", [{**pair, "name": "n" * 1_000_000}])):
        for url in ("/v0/alignment-computation/", "/api/v1/align/jobs"):
            found.append(
                (
                    f"landmarks {label}",
                    {"path": url, "method": "POST", "headers": alice, "json": {**alignment, "landmark_pairs": pairs}},
                )
            )
    for name in ("x" * 300 + ".nii.gz", "a\x00.nii.gz", "../../evil.nii.gz"):
        found.append(
            (
                "upload name",
                {
                    "path": "/api/v1/images/",
                    "method": "POST",
                    "headers": alice,
                    "content_type": "multipart/form-data",
                    "data": {"image": (io.BytesIO(_volume()), name)},
                },
            )
        )
    for origin in ("https://evil.example", "null"):
        found.append(
            (
                "cross-site form",
                {
                    "path": "/align/depth",
                    "method": "POST",
                    "headers": {"Origin": origin},
                    "data": {"segmentation_name": "x"},
                },
            )
        )
    return found


def _volume():
    import gzip

    import nibabel as nib
    import numpy as np

    image = nib.Nifti1Image(np.zeros((4, 4, 4), np.uint8), np.eye(4))
    return gzip.compress(image.to_bytes())


def run(database_url, label):
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder), database_url)
        client = app.test_client()
        alice = _token(app, "alice")
        client.post(
            "/api/v1/jobs/",
            headers=alice,
            json={"kind": "paint", "params": {"values": {"a": {"Left-superiorfrontal": 1}}}},
        )
        counts, errors, slowest = {}, [], (0.0, "")
        for kind, kwargs in _requests(app, client, alice):
            started = time.perf_counter()
            response = client.open(**kwargs)
            elapsed = time.perf_counter() - started
            slowest = max(slowest, (elapsed, f"{kind} {kwargs['method']} {kwargs['path'][:60]}"))
            total, failed = counts.get(kind, (0, 0))
            counts[kind] = (total + 1, failed + (response.status_code >= 500))
            if response.status_code >= 500:
                errors.append(f"{response.status_code} {kind} {kwargs['method']} {kwargs['path'][:80]!r}")
        # A browser whose anonymous owner was deleted keeps its cookie.
        browser = app.test_client()
        browser.post(
            "/align/volumes", content_type="multipart/form-data", data={"image": (io.BytesIO(_volume()), "v.nii.gz")}
        )
        from sqlalchemy import delete

        from cortico.db import User

        with app.extensions["cortico.db"].session() as session:
            session.execute(delete(User).where(User.anonymous.is_(True)))
        stale = [browser.get(url).status_code for url in ("/align/", "/paint/")]
        stale.append(browser.post("/align/depth", data={"segmentation_name": "v"}).status_code)
        counts["stale session"] = (len(stale), sum(code >= 500 for code in stale))
        app.extensions["cortico.db"].dispose()
    requests_sent = sum(total for total, _ in counts.values())
    server_errors = sum(failed for _, failed in counts.values())
    print(
        f"{label}: {requests_sent} hostile requests, {server_errors} answered 5xx; "
        f"slowest {slowest[0]:.1f} s ({slowest[1]})"
    )
    for kind, (total, failed) in sorted(counts.items()):
        print(f"  {kind:28s} {total:5d} requests  {failed:3d} 5xx")
    for line in errors[:20]:
        print("   ", line)
    return server_errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    failures = run(None, "SQLite")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
    name = f"cortico_hostile_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
        failures += run(url, "PostgreSQL")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(json.dumps({"server_errors": failures}))


if __name__ == "__main__":
    main()
