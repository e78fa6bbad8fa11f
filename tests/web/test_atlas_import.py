"""``POST /api/v1/atlases/``: import jobs, owner-only atlases, painting with them, clear 4xx errors."""

import io

import nibabel as nib
import numpy as np
import pytest

from cortico.atlases._fsdata import mesh_file
from tests.conftest import add_user, make_app, wait_for


def _annot(hemi="lh"):
    return mesh_file("fsaverage5", f"label/{hemi}.Yeo2011_7Networks_N1000.annot").read_bytes()


def _post(client, headers, files, **fields):
    form = dict(fields)
    for field, (data, file_name) in files.items():
        form[field] = (io.BytesIO(data), file_name)
    return client.post("/api/v1/atlases/", data=form, headers=headers, content_type="multipart/form-data")


def _finished(client, headers, job):
    return wait_for(
        lambda: (b := client.get(job["links"]["self"], headers=headers).json)["finished"] and b,
        timeout=180,
        what="atlas import job",
    )


@pytest.fixture
def worker_app(instance, start_worker):
    app = make_app(instance, PAINT_PROCESSES=1)
    start_worker(app)
    return app


def test_template_import_is_a_job_then_an_atlas_of_its_owner_only(worker_app):
    client = worker_app.test_client()
    alice, bob = add_user(worker_app, "alice"), add_user(worker_app, "bob")
    created = _post(
        client,
        alice,
        {"lh_labels": (_annot("lh"), "lh.yeo.annot"), "rh_labels": (_annot("rh"), "rh.yeo.annot")},
        name="My Yeo",
        mesh="fsaverage5",
    )
    assert created.status_code == 202, created.json
    assert created.json["kind"] == "atlas-import"
    final = _finished(client, alice, created.json)
    assert final["state"] == "succeeded", final["error"]
    assert final["progress"] == 1.0
    result = final["result"]
    assert result["atlas"] == "user:My Yeo" and result["cortical_regions"] == 14 and result["space"] == "fsaverage5"
    names = [entry["name"] for entry in client.get("/api/v1/atlases/", headers=alice).json]
    assert "user:My Yeo" in names
    assert "user:My Yeo" not in [entry["name"] for entry in client.get("/api/v1/atlases/", headers=bob).json]
    assert client.get("/api/v1/atlases/user:My Yeo", headers=bob).status_code == 404
    detail = client.get("/api/v1/atlases/user:My Yeo", headers=alice).json
    assert detail["cortical_regions"] == 14 and detail["regions"][0]["column"] == "Left-7Networks_1"
    # paint with it, and its 3D mesh is served to the owner only
    body = {
        "values": {"a": {"Left-7Networks_1": 1.0, "Right-7Networks_7": 2.0}},
        "settings": {"atlas": "user:My Yeo", "width": 64, "height": 48, "views": ["cortical-outer-left-hemisphere"]},
    }
    paint = client.post("/api/v1/paint/jobs", json=body, headers=alice)
    assert paint.status_code == 202, paint.json
    painted = _finished(client, alice, paint.json)
    assert painted["state"] == "succeeded", painted["error"]
    assert client.post("/api/v1/paint/jobs", json=body, headers=bob).status_code == 422
    # the same name again is a conflict
    again = _post(client, alice, {"lh_labels": (_annot("lh"), "lh.annot")}, name="my yeo", mesh="fsaverage5")
    assert again.status_code == 409 and "already have an atlas named 'my yeo'" in again.json["message"]


def test_volume_import_meshes_every_label(worker_app, tmp_path):
    client, alice = worker_app.test_client(), add_user(worker_app, "alice")
    data = np.zeros((20, 20, 20), dtype=np.int16)
    data[3:9, 3:9, 3:9] = 5
    data[11:17, 11:17, 11:17] = 7
    path = tmp_path / "labels.nii.gz"
    nib.save(nib.Nifti1Image(data, np.eye(4)), path)
    table = b"id,name,r,g,b\n5,Left-Cortex-A,255,0,0\n7,Right-Cortex-A,0,0,255\n9,Unused,1,2,3\n"
    created = _post(
        client, alice, {"volume": (path.read_bytes(), "ccf.nii.gz"), "table": (table, "ccf.csv")}, name="blobs"
    )
    assert created.status_code == 202, created.json
    final = _finished(client, alice, created.json)
    assert final["state"] == "succeeded", final["error"]
    assert final["result"]["subcortical_regions"] == 2 and final["result"]["cortical_regions"] == 0
    regions = client.get("/api/v1/atlases/user:blobs", headers=alice).json["regions"]
    assert [(r["key"], r["color"]) for r in regions] == [("lh.Cortex-A", "#ff0000"), ("rh.Cortex-A", "#0000ff")]


@pytest.mark.parametrize(
    "files, fields, status, message",
    [
        ({"lh_labels": (b"garbage", "lh.annot")}, {"name": "x"}, 422, "Labels lh.annot (lh_labels): cannot read"),
        ({"lh_labels": (b"1\n2\n", "lh.txt")}, {"name": "x"}, 422, "holds only numbers; give a label table"),
        ({"lh_labels": (b"abc", "lh.exe")}, {"name": "x"}, 422, "unsupported type; expected one of .label.gii"),
        ({}, {"name": "x"}, 422, "Upload 'lh_labels' and/or 'rh_labels'"),
        ({"lh_labels": (b"x", "lh.annot")}, {}, 422, "Give the atlas a name"),
        ({"volume": (b"x", "v.nii.gz")}, {"name": "x"}, 422, "A label volume needs its lookup table"),
        (
            {"volume": (b"not gzip", "v.nii.gz"), "table": (b"1,a\n", "t.csv")},
            {"name": "x"},
            422,
            "Volume v.nii.gz (volume): cannot read",
        ),
        ({"lh_labels": (b"x", "lh.annot")}, {"name": "x", "mesh": "fsaverage3"}, 422, "'mesh' must be one of"),
    ],
)
def test_bad_requests_are_clear_4xx_and_store_nothing(app, instance, files, fields, status, message):
    client, alice = app.test_client(), add_user(app, "alice")
    response = _post(client, alice, files, **fields)
    assert response.status_code == status, response.json
    assert message in response.json["message"]
    assert client.get("/api/v1/jobs/", headers=alice).json == [] or all(
        job["kind"] != "atlas-import" for job in client.get("/api/v1/jobs/", headers=alice).json
    )


def test_wrong_vertex_count_names_the_mesh(app):
    client, alice = app.test_client(), add_user(app, "alice")
    response = _post(client, alice, {"lh_labels": (_annot("lh"), "lh.annot")}, name="x", mesh="fsaverage6")
    assert response.status_code == 422
    assert "have 10242 values but the fsaverage6 mesh has 40962 vertices" in response.json["message"]


def test_upload_limit_is_413(instance):
    app = make_app(instance, ATLAS_MAX_UPLOAD_BYTES=1000)
    client, alice = app.test_client(), add_user(app, "alice")
    response = _post(client, alice, {"lh_labels": (_annot("lh"), "lh.annot")}, name="x", mesh="fsaverage5")
    assert response.status_code == 413 and "larger than" in response.json["message"]


def test_import_needs_a_token_and_a_form(client):
    assert client.post("/api/v1/atlases/", data={}).status_code == 401
