"""Access audit: every route that takes an id or a name, called by another user.

The table below must name every such route of the app (a new route fails the
completeness test until it is audited here): another user's job, file, image or
volume answers 404, with the same tokens accepted by /api/v1, /v0 and the image
service. Capability URLs (shareable by their unguessable id or key) are listed
with the reason.
"""

import functools
import io
import re

import pytest
from sqlalchemy import select

from cortico.atlases._fsdata import mesh_file
from tests.conftest import add_user
from tests.web._volumes import labels, nifti_bytes, upload

BASE = "http://localhost/image-service/"

# Routes whose unguessable id/key is the capability, by design.
CAPABILITY_ROUTES = {
    "/image-service/nifti/<link_key>/info": "Neuroglancer fetches precomputed chunks without a token",
    "/image-service/nifti/<link_key>/<scale_key>/<chunk_name>": "Neuroglancer chunks, as above",
    "/v0/depth-map-computation/<computation_id>": "seed contract: polled with the token of whichever image "
    "service the job used (possibly a remote one, not a cortico "
    "token), so the unguessable id is the capability",
    "/v0/alignment-computation/<computation_id>": "as above",
    "/paint/jobs/<job_id>": "painting job pages are shareable by their unguessable id (issue 5)",
    "/paint/jobs/<job_id>/status": "status of a shared job page",
    "/paint/jobs/<job_id>/files/<path:name>": "images of a shared job page",
    "/paint/jobs/<job_id>/zip": "zip of a shared job page",
    "/paint/jobs/<job_id>/values.csv": "table of a shared job page (paint again)",
    "/paint/jobs/<job_id>/3d/<int:row>": "3D view of a shared job page",
    "/paint/jobs/<job_id>/mesh/<int:row>.bin": "3D mesh of a shared job page",
}
# Routes that take a name of public data (static files, examples). The atlas routes also
# take bundled names, but they answer an imported ``user:<name>`` atlas to its owner only:
# they are audited below.
PUBLIC_ROUTES = {
    "/static/<path:filename>",
    "/examples/<name>",
}


@pytest.fixture
def app(app_on_each_database):
    """Every audit runs on SQLite and on PostgreSQL (which refuses NUL bytes and long strings)."""
    return app_on_each_database


@functools.cache
def _yeo_annot(hemi):
    return mesh_file("fsaverage5", f"label/{hemi}.Yeo2011_7Networks_N1000.annot").read_bytes()


@functools.cache
def _imported_atlas(tmp_folder):
    """A small imported atlas (Yeo 7 on fsaverage5), built once per test session."""
    from pathlib import Path

    from cortico.atlases import import_template_atlas

    path = Path(tmp_folder) / "lh.yeo.annot"
    path.write_bytes(_yeo_annot("lh"))
    return import_template_atlas("secret atlas", {"lh": path}, mesh="fsaverage5")


def _store_atlas_of(app, user_name, tmp_folder):
    """Store the imported atlas for ``user_name``, as a finished import would; its id."""
    from cortico.db.models import User
    from cortico.paint import atlas_store

    with app.extensions["cortico.db"].session() as session:
        user_id = session.execute(select(User.id).where(User.name == user_name)).scalar_one()
    return atlas_store(app.config).save(str(user_id), _imported_atlas(tmp_folder))


@pytest.fixture
def objects(app, client, tmp_path_factory):
    """Alice's job, painting job, volume, depth computation, atlas import and atlas; Bob's token."""
    alice, bob = add_user(app, "alice"), add_user(app, "bob")
    volume = upload(
        client,
        alice,
        nifti_bytes(labels()),
        "secret-seg.nii.gz",
        url="/api/v1/images/",
        announce=False,
        segmentation="true",
    )
    assert volume.status_code == 201, volume.json
    paint = client.post(
        "/api/v1/paint/jobs",
        headers=alice,
        json={
            "values": {"a": {"Left-superiorfrontal": 1.0}},
            "settings": {"views": ["top"], "width": 64, "height": 48},
        },
    )
    assert paint.status_code == 202, paint.json
    depth = client.post(
        "/v0/depth-map-computation/",
        headers=alice,
        json={"image_service_base_url": BASE, "segmentation_name": "secret-seg"},
    )
    assert depth.status_code == 202, depth.json
    atlas_import = client.post(
        "/api/v1/atlases/",
        headers=alice,
        data={"name": "queued atlas", "mesh": "fsaverage5", "lh_labels": (io.BytesIO(_yeo_annot("lh")), "lh.annot")},
        content_type="multipart/form-data",
    )
    assert atlas_import.status_code == 202, atlas_import.json
    atlas_id = _store_atlas_of(app, "alice", str(tmp_path_factory.getbasetemp()))
    return {
        "alice": alice,
        "bob": bob,
        "image_id": volume.json["id"],
        "normalized": volume.json["links"]["normalized"],
        "paint_job": paint.json["id"],
        "depth_job": depth.json["status_polling_url"].rstrip("/").rsplit("/", 1)[-1],
        "atlas_import": atlas_import.json["id"],
        "atlas_id": atlas_id,
    }


def audited_requests(o):
    """(method, url, rule) for Bob trying Alice's objects."""
    link_key = o["normalized"].rstrip("/").rsplit("/", 1)[-1]
    return [
        ("GET", f"/api/v1/jobs/{o['paint_job']}", "/api/v1/jobs/<job_id>"),
        ("DELETE", f"/api/v1/jobs/{o['paint_job']}", "/api/v1/jobs/<job_id>"),
        ("GET", "/image-service/download/secret-seg.nii.gz", "/image-service/download/<path:file_name>"),
        ("GET", "/image-service/download/secret-seg", "/image-service/download/<path:file_name>"),
        ("DELETE", f"/image-service/nifti/{link_key}", "/image-service/nifti/<link_key>"),
        ("GET", f"/api/v1/images/{o['image_id']}", "/api/v1/images/<image_id>"),
        ("PATCH", f"/api/v1/images/{o['image_id']}", "/api/v1/images/<image_id>"),
        ("DELETE", f"/api/v1/images/{o['image_id']}", "/api/v1/images/<image_id>"),
        ("GET", f"/api/v1/images/{o['image_id']}/download", "/api/v1/images/<image_id>/download"),
        ("GET", f"/api/v1/align/jobs/{o['depth_job']}/files", "/api/v1/align/jobs/<job_id>/files"),
        ("GET", f"/api/v1/align/jobs/{o['depth_job']}/files/depth_map", "/api/v1/align/jobs/<job_id>/files/<role>"),
        ("GET", f"/api/v1/paint/jobs/{o['paint_job']}/files", "/api/v1/paint/jobs/<job_id>/files"),
        (
            "GET",
            f"/api/v1/paint/jobs/{o['paint_job']}/files/top_a.png",
            "/api/v1/paint/jobs/<job_id>/files/<path:name>",
        ),
        ("GET", f"/api/v1/paint/jobs/{o['paint_job']}/zip", "/api/v1/paint/jobs/<job_id>/zip"),
        ("GET", f"/align/volumes/{o['image_id']}", "/align/volumes/<image_id>"),
        ("GET", f"/align/volumes/{o['image_id']}/secret-seg.nii.gz", "/align/volumes/<image_id>/<file_name>"),
        ("POST", f"/align/volumes/{o['image_id']}/delete", "/align/volumes/<image_id>/delete"),
        ("GET", f"/align/jobs/{o['depth_job']}", "/align/jobs/<job_id>"),
        ("GET", f"/align/jobs/{o['depth_job']}/status", "/align/jobs/<job_id>/status"),
        ("POST", f"/align/jobs/{o['depth_job']}/cancel", "/align/jobs/<job_id>/cancel"),
        ("GET", f"/align/jobs/{o['depth_job']}/files/depth_map", "/align/jobs/<job_id>/files/<role>"),
        ("POST", f"/paint/jobs/{o['paint_job']}/cancel", "/paint/jobs/<job_id>/cancel"),
        ("POST", f"/paint/jobs/{o['paint_job']}/delete", "/paint/jobs/<job_id>/delete"),
        ("POST", f"/align/jobs/{o['depth_job']}/delete", "/align/jobs/<job_id>/delete"),
        ("GET", "/api/v1/atlases/user:secret atlas", "/api/v1/atlases/<name>"),
        ("GET", "/api/v1/atlases/user:secret atlas/template.csv", "/api/v1/atlases/<name>/template.csv"),
        ("GET", "/paint/templates/user:secret atlas-v2.csv", "/paint/templates/<atlas>-<schema>.csv"),
        ("GET", f"/api/v1/jobs/{o['atlas_import']}", "/api/v1/jobs/<job_id>"),
        ("GET", f"/atlases/imports/{o['atlas_import']}", "/atlases/imports/<job_id>"),
        ("GET", f"/atlases/mine/{o['atlas_id']}/3d", "/atlases/mine/<atlas_id>/3d"),
        ("GET", f"/atlases/mine/{o['atlas_id']}/mesh.bin", "/atlases/mine/<atlas_id>/mesh.bin"),
    ]


def test_every_route_with_an_id_or_name_is_audited(app, objects):
    audited = {rule for _, _, rule in audited_requests(objects)}
    with_arguments = {rule.rule for rule in app.url_map.iter_rules() if "<" in rule.rule}
    missing = with_arguments - audited - set(CAPABILITY_ROUTES) - PUBLIC_ROUTES
    assert not missing, f"routes not covered by the access audit: {sorted(missing)}"


def test_other_users_objects_answer_404(app, client, objects):
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own test; here only ownership counts
    for method, url, rule in audited_requests(objects):
        response = client.open(
            url, method=method, headers=objects["bob"], json={"visibility": "public"} if method == "PATCH" else None
        )
        # A shared painting page may be seen by others, so its existence is no secret: cancelling it is 403.
        expected = 403 if rule == "/paint/jobs/<job_id>/cancel" else 404
        assert response.status_code == expected, (method, url, response.status_code)
    # Nothing of Alice's changed: her volume and jobs are intact and still hers.
    alice = objects["alice"]
    assert client.get(f"/api/v1/images/{objects['image_id']}", headers=alice).json["visibility"] == "private"
    assert client.get(f"/api/v1/jobs/{objects['paint_job']}", headers=alice).json["state"] == "queued"
    assert client.get("/image-service/download/secret-seg.nii.gz", headers=alice).status_code == 200
    # ... and her atlas pages answer her.
    for url in (
        "/api/v1/atlases/user:secret atlas",
        "/paint/templates/user:secret atlas-v2.csv",
        f"/atlases/imports/{objects['atlas_import']}",
        f"/atlases/mine/{objects['atlas_id']}/3d",
        f"/atlases/mine/{objects['atlas_id']}/mesh.bin",
    ):
        assert client.get(url, headers=alice).status_code == 200, url


def test_one_token_opens_every_api_family(client, objects):
    alice = objects["alice"]
    assert client.get("/api/v1/jobs/", headers=alice).status_code == 200
    assert client.get("/image-service/list", headers=alice).status_code == 200
    assert client.get(f"/v0/depth-map-computation/{objects['depth_job']}", headers=alice).status_code == 200
    for url in ("/api/v1/jobs/", "/image-service/list", "/api/v1/images/"):
        assert client.get(url, headers={"Authorization": "Bearer ctk_not-a-token"}).status_code == 401


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..%2F..%2Fetc%2Fpasswd",
        "/etc/passwd",
        "a/../../b",
        "x" * 5000,
        "%00",
        "name\r\nX-Injected: 1",
        "..\\..\\windows",
    ],
)
def test_hostile_names_never_escape_or_crash(app, client, objects, name):
    alice = objects["alice"]
    urls = [
        f"/image-service/download/{name}",
        f"/api/v1/paint/jobs/{objects['paint_job']}/files/{name}",
        f"/api/v1/images/{name}",
        f"/api/v1/jobs/{name}",
        f"/v0/depth-map-computation/{name}",
        f"/api/v1/atlases/{name}",
        f"/api/v1/atlases/user:{name}",
        f"/atlases/imports/{name}",
        f"/atlases/mine/{name}/3d",
        f"/atlases/mine/{name}/mesh.bin",
        f"/paint/jobs/{objects['paint_job']}/files/{name}",
        f"/api/v1/align/jobs/{objects['depth_job']}/files/{name}",
    ]
    for url in urls:
        response = client.get(url, headers=alice, follow_redirects=True)  # "//" is merged by a 308 first
        assert response.status_code in (400, 404, 409, 414, 422), (url, response.status_code)
        assert b"root:" not in response.data
        assert "X-Injected" not in response.headers


def test_hostile_upload_names_are_refused_or_neutralised(app, client, objects):
    alice = objects["alice"]
    for name in ["../../evil.nii.gz", "a\r\nX-Injected: 1.nii.gz", "x" * 300 + ".nii.gz", ".nii.gz", "\x00.nii"]:
        response = upload(client, alice, nifti_bytes(labels()), name, url="/api/v1/images/", announce=False)
        assert response.status_code in (201, 400, 409, 413, 422), (name, response.status_code)
        if response.status_code == 201:
            stored = response.json["name"]
            assert "/" not in stored and "\r" not in stored and "\n" not in stored and ".." not in stored
            download = client.get(response.json["links"]["download"], headers=alice)
            assert "\n" not in download.headers.get("Content-Disposition", "")
    storage_names = [
        p.name
        for p in (app.config["STORAGE_PATH"] and __import__("pathlib").Path(app.config["STORAGE_PATH"])).rglob("*")
    ]
    assert not any(re.search(r"evil|X-Injected|\.\.", n) for n in storage_names)


def test_no_token_reaches_a_log_line(app, client, objects, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    alice = objects["alice"]
    token = alice["Authorization"].split()[1]
    client.get("/api/v1/jobs/", headers=alice)
    client.get("/api/v1/jobs/", headers={"Authorization": alice["Authorization"] + "x"})
    client.post(
        "/v0/depth-map-computation/", headers=alice, json={"image_service_base_url": BASE, "segmentation_name": "nope"}
    )
    client.get("/image-service/list", headers=alice)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in text and token[4:20] not in text
