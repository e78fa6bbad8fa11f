"""``/api/v1/paint`` and ``/api/v1/atlases`` over HTTP: create, poll, list, download, errors, limits."""

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.conftest import add_user, make_app, wait_for

GOOD_CSV = (
    b"Image-name-unique,Left-superiorfrontal,Right-superiorfrontal,Left-Hippocampus\r\n"
    b"control,2.5,2.4,1.0\r\npatient,1.5,,0.2\r\n"
)
SMALL = {"width": 96, "height": 72, "views": ["cortical-outer-left-hemisphere", "top"]}


@pytest.fixture
def headers(app):
    return add_user(app, "alice")


def post_csv(client, headers, data, settings=None, name="values.csv"):
    form = {"table": (io.BytesIO(data), name)}
    if settings is not None:
        form["settings"] = json.dumps(settings)
    return client.post("/api/v1/paint/jobs", data=form, headers=headers, content_type="multipart/form-data")


def test_api_needs_a_token(client):
    assert client.get("/api/v1/atlases/").status_code == 401
    response = client.post("/api/v1/paint/jobs", json={"values": {"a": {"bankssts": 1}}})
    assert response.status_code == 401
    assert response.json["message"] == "Missing Bearer token Authorization header"


def test_json_job_runs_and_its_files_download(instance, start_worker):
    app = make_app(instance, PAINT_PROCESSES=2)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)
    body = {
        "values": {
            "control": {"Left-superiorfrontal": 2.5, "age": 31},
            "patient": {"Left-superiorfrontal": 1.5, "age": 40},
        },
        "settings": dict(SMALL, panel=True, panel_formats=["pdf"], label="Thickness (mm)"),
    }
    created = client.post("/api/v1/paint/jobs", json=body, headers=headers)
    assert created.status_code == 202, created.json
    job = created.json
    assert job["kind"] == "paint" and job["state"] in ("queued", "running")
    assert any("Column 'age' matches no region" in w for w in job["warnings"])
    assert job["links"]["page"] == f"/paint/jobs/{job['id']}"
    early = client.get(job["links"]["files"], headers=headers)
    if early.status_code != 200:  # the job may already be done on a fast machine
        assert early.status_code == 409 and "its files are listed once it has succeeded" in early.json["message"]
    final = wait_for(
        lambda: (b := client.get(job["links"]["self"], headers=headers).json)["finished"] and b,
        timeout=120,
        what="paint job",
    )
    assert final["state"] == "succeeded", final["error"]
    listing = client.get(job["links"]["files"], headers=headers)
    assert listing.status_code == 200
    files = {entry["name"]: entry for entry in listing.json["files"]}
    image = files["cortical-outer-left-hemisphere_control.png"]
    assert (image["kind"], image["row"], image["caption"]) == ("image", "control", "Left lateral")
    assert files["panel_patient.pdf"]["kind"] == "panel"
    assert {entry["kind"] for entry in files.values()} >= {
        "image",
        "thumbnail",
        "panel",
        "colorbar",
        "settings",
        "table",
        "zip",
    }
    png = client.get(image["url"], headers=headers)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert Image.open(io.BytesIO(png.data)).size == (96, 72)
    pdf = client.get(files["panel_patient.pdf"]["url"], headers=headers)
    assert pdf.data.startswith(b"%PDF")
    archive = client.get(job["links"]["zip"], headers=headers)
    assert archive.status_code == 200 and archive.mimetype == "application/zip"
    assert f"cortico-paint-{job['id'][:8]}.zip" in archive.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(archive.data)) as opened:
        names = set(opened.namelist())
        settings = json.loads(opened.read("settings.json"))
    assert {"values.csv", "settings.json", "panel_control.pdf", "top_patient.png"} <= names
    assert (settings["vmin"], settings["vmax"], settings["label"]) == (1.5, 2.5, "Thickness (mm)")
    assert client.get(f"/api/v1/paint/jobs/{job['id']}/files/../../secret_key", headers=headers).status_code == 404
    assert client.get(f"/api/v1/paint/jobs/{job['id']}/files/settings.json", headers=headers).json["width"] == 96
    bob = add_user(app, "bob")
    assert client.get(job["links"]["files"], headers=bob).status_code == 404
    assert client.get(job["links"]["zip"], headers=bob).status_code == 404


def test_csv_upload_is_queued_with_the_table_stored(app, client, headers):
    response = post_csv(client, headers, GOOD_CSV, dict(SMALL, atlas="Desikan-Killiany"), name="my thickness.csv")
    assert response.status_code == 202, response.json
    job_id = response.json["id"]
    stored = app.extensions["celery"].cortico.job_folder(job_id) / "input" / "values.csv"
    assert stored.read_bytes() == GOOD_CSV
    status = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json
    assert status["state"] == "queued"


def test_every_problem_is_reported_at_once_with_rows_and_columns(client, headers):
    csv = b"Image-name-unique,Left-superiorfrontl,Right-precentral,Left-Hippocampus\na,1,2,3\na,1,x,3\nb,1,2\n"
    response = post_csv(
        client, headers, csv, {"vmin": 3, "vmax": 1, "views": ["top", "sideways"], "colors": ["#ffffff", "notacolour"]}
    )
    assert response.status_code == 422
    body = response.json
    errors = body["errors"]
    expected = [
        "vmax (1) must be greater than vmin (3).",
        "Unknown view 'sideways'",
        "Colour stop 2 'notacolour' is not a colour",
        "Column 'Left-superiorfrontl': no region of atlas 'dk' has this name; did you mean 'Left-superiorfrontal'?",
        "Row 3, column 'Image-name-unique': image name 'a' is already used in row 2",
        "Row 3, column 'Right-precentral': 'x' is not a number",
        "Row 4: has 3 cells but the header has 4 columns (ragged row)",
    ]
    for text in expected:
        assert any(text in error for error in errors), (text, errors)
    assert body["message"].startswith(f"The painting request has {len(errors)} problems: ")
    misspelt = next(d for d in body["details"] if d["column"] == "Left-superiorfrontl")
    assert misspelt["suggestions"][0] == "Left-superiorfrontal"
    not_number = next(d for d in body["details"] if d["row"] == 3 and d["column"] == "Right-precentral")
    assert not_number["field"] == "table"


def test_table_level_errors(client, headers):
    wrong_first = post_csv(client, headers, b"subject,Left-bankssts\ns1,1\n")
    assert wrong_first.status_code == 422
    assert "Row 1: the first column must be 'Image-name-unique' (found 'subject')" in wrong_first.json["errors"][0]
    empty = post_csv(client, headers, b"")
    assert empty.status_code == 422
    assert empty.json["errors"] == [
        "No values table was given: upload a CSV whose first column is 'Image-name-unique'."
    ]
    wrong_atlas = post_csv(client, headers, GOOD_CSV, {"atlas": "allen-mouse"})
    assert wrong_atlas.status_code == 422
    assert "Unknown atlas 'allen-mouse'" in wrong_atlas.json["errors"][0]
    negative = post_csv(
        client, headers, b"Image-name-unique,Left-bankssts,Right-bankssts\ns1,-1,-2\n", {"mode": "brainpainter"}
    )
    assert negative.status_code == 422
    assert (
        "Row 2: BrainPainter colour mode needs values from 0 to 3, but 2 cell(s) are negative "
        "(columns 'Left-bankssts', 'Right-bankssts')"
    ) in negative.json["errors"][0]
    no_cortex = post_csv(
        client,
        headers,
        b"Image-name-unique,Left-Hippocampus\ns1,1\n",
        {"atlas": "aseg", "views": ["top", "subcortical-top"]},
    )
    assert no_cortex.status_code == 422
    assert no_cortex.json["errors"] == [
        "View 'Superior' shows the cortex, but atlas 'aseg' has no cortical regions; choose another view."
    ]
    bad_json = client.post(
        "/api/v1/paint/jobs",
        data={"table": (io.BytesIO(GOOD_CSV), "v.csv"), "settings": "{oops"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert bad_json.status_code == 422
    assert bad_json.json["message"].startswith("The 'settings' field is not valid JSON")
    cells = client.post(
        "/api/v1/paint/jobs", json={"values": {"a": {"bankssts": "1.5", "cuneus": {}, "insula": 2}}}, headers=headers
    )
    assert cells.status_code == 422
    assert cells.json["errors"] == [
        "image 'a', column 'bankssts': expected a number or null, got text",
        "image 'a', column 'cuneus': expected a number or null, got an object",
    ]
    null_settings = client.post(
        "/api/v1/paint/jobs", json={"values": {"a": {"bankssts": 1}}, "settings": None}, headers=headers
    )
    assert null_settings.status_code == 422
    assert null_settings.json["errors"] == ["The settings must be an object of setting names and values."]
    unknown = client.post(
        "/api/v1/paint/jobs", json={"values": {"a": {"bankssts": 1}}, "colour": "red"}, headers=headers
    )
    assert unknown.status_code == 422 and "Unknown field(s) colour" in unknown.json["message"]
    unknown_setting = client.post(
        "/api/v1/paint/jobs", json={"values": {"a": {"bankssts": 1}}, "settings": {"colour": "red"}}, headers=headers
    )
    assert unknown_setting.status_code == 422
    assert "Unknown settings key(s): colour" in unknown_setting.json["errors"][0]


def test_generic_jobs_route_applies_the_configured_paint_limits(instance):
    app = make_app(instance, PAINT_MAX_ROWS=1, PAINT_MAX_SIDE=512)
    client, headers = app.test_client(), add_user(app, "alice")
    values = {"a": {"Left-bankssts": 1}, "b": {"Left-bankssts": 2}}
    body = {"kind": "paint", "params": {"values": values, "settings": {"views": ["top"], "width": 256, "height": 192}}}
    response = client.post("/api/v1/jobs/", json=body, headers=headers)
    assert response.status_code == 413
    assert "this server paints at most 1 rows per job" in response.json["message"]
    body["params"] = {"values": {"a": values["a"]}, "settings": {"views": ["top"], "width": 1024, "height": 192}}
    response = client.post("/api/v1/jobs/", json=body, headers=headers)
    assert response.status_code == 422
    assert "this server paints at most 512 pixels per side" in response.json["message"]
    assert client.get("/api/v1/jobs/", headers=headers).json == []
    body["params"]["settings"]["width"] = 256
    accepted = client.post("/api/v1/jobs/", json=body, headers=headers)
    assert accepted.status_code == 202 and accepted.json["kind"] == "paint"


def test_limits_answer_413_or_422_with_the_numbers(instance):
    app = make_app(
        instance,
        PAINT_MAX_UPLOAD_BYTES=200,
        PAINT_MAX_ROWS=2,
        PAINT_MAX_IMAGES=3,
        PAINT_MAX_SIDE=512,
        PAINT_MAX_MOVIE_FRAMES=4,
    )
    client, headers = app.test_client(), add_user(app, "alice")
    big = b"Image-name-unique,Left-bankssts\n" + b"".join(b"row%d,1\n" % i for i in range(40))
    response = post_csv(client, headers, big)
    assert response.status_code == 413
    assert response.json["errors"] == [
        "The values table is larger than 200 bytes, the largest this server accepts. Split it into several jobs."
    ]
    rows = b"Image-name-unique,Left-bankssts\na,1\nb,2\nc,3\n"
    small = {"width": 256, "height": 192}
    response = post_csv(client, headers, rows, dict(small, views=["top"]))
    assert response.status_code == 413
    assert response.json["errors"] == [
        "The table has more than 2 data rows; this server paints at most 2 rows per job. "
        "Split the table into several jobs."
    ]
    response = post_csv(client, headers, rows[:-4], dict(small, views=["top", "bottom"]))
    assert response.status_code == 413
    assert "2 rows x 2 views make 4 images; this server paints at most 3 images per job" in response.json["errors"][0]
    response = post_csv(client, headers, rows[:-4], dict(small, views=["top"], movie=True, movie_steps=3))
    assert response.status_code == 413
    assert "The movie would have 5 frames" in response.json["errors"][0]
    response = post_csv(client, headers, rows[:-4], {"views": ["top"], "width": 1024, "height": 192})
    assert response.status_code == 422
    assert response.json["errors"] == [
        "The image width is 1024 pixels; this server paints at most 512 pixels per side."
    ]


def test_unknown_job_is_404(client, headers):
    for path in (
        "/api/v1/paint/jobs/nope/files",
        "/api/v1/paint/jobs/nope/zip",
        "/api/v1/paint/jobs/nope/files/top_a.png",
        "/api/v1/jobs/nope",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404, path
        assert response.json["message"] == "No job 'nope'."


def test_atlas_listing_details_and_templates(client, headers):
    listing = client.get("/api/v1/atlases/", headers=headers)
    assert listing.status_code == 200
    by_name = {atlas["name"]: atlas for atlas in listing.json}
    assert {"dk", "destrieux", "dkt", "aseg"} <= set(by_name)
    assert by_name["dk"]["cortical_regions"] == 68
    assert by_name["destrieux"]["cortical_regions"] == 148
    assert by_name["dk"]["templates"]["v1"] == "/api/v1/atlases/dk/template.csv?schema=v1"
    detail = client.get("/api/v1/atlases/Desikan-Killiany", headers=headers)
    assert detail.status_code == 200 and detail.json["name"] == "dk"
    columns = {region["column"] for region in detail.json["regions"]}
    assert {"Left-superiorfrontal", "Right-Hippocampus", "Brain-Stem"} <= columns
    v2 = client.get(by_name["dk"]["templates"]["v2"], headers=headers)
    assert v2.status_code == 200 and v2.mimetype == "text/csv"
    header = v2.get_data(as_text=True).splitlines()[0].split(",")
    assert header[0] == "Image-name-unique" and len(header) == 1 + 94  # BrainPainter's DK v2: 94 columns
    v1 = client.get("/api/v1/atlases/dk/template.csv?schema=v1&rows=3", headers=headers)
    lines = v1.get_data(as_text=True).splitlines()
    assert len(lines[0].split(",")) == 1 + 47 and lines[3].startswith("image-3,")
    assert "cortico-template-dk-v1.csv" in v1.headers["Content-Disposition"]
    assert client.get("/api/v1/atlases/mouse-allen", headers=headers).status_code == 404
    assert client.get("/api/v1/atlases/dk/template.csv?schema=v3", headers=headers).status_code == 422


def test_options_list_views_defaults_and_limits(client, headers):
    body = client.get("/api/v1/paint/options", headers=headers).json
    captions = {view["name"]: view["caption"] for view in body["views"]}
    assert captions["cortical-outer-left-hemisphere"] == "Left lateral"
    assert len(captions) == 12
    assert body["defaults"]["width"] == 1200 and body["limits"]["max_rows"] == 500


def test_openapi_documents_every_paint_route_with_examples(client):
    spec = client.get("/openapi.json").json
    paths = spec["paths"]
    for path in (
        "/api/v1/paint/jobs",
        "/api/v1/paint/jobs/{job_id}/files",
        "/api/v1/paint/jobs/{job_id}/zip",
        "/api/v1/paint/jobs/{job_id}/files/{name}",
        "/api/v1/paint/options",
        "/api/v1/atlases/",
        "/api/v1/atlases/{name}",
        "/api/v1/atlases/{name}/template.csv",
    ):
        assert path in paths, path
        for method, operation in paths[path].items():
            if method in ("get", "post", "delete"):
                assert operation.get("summary") or operation.get("description"), path
    create = paths["/api/v1/paint/jobs"]["post"]
    content = create["requestBody"]["content"]
    assert "example" in content["application/json"]
    assert content["multipart/form-data"]["schema"]["properties"]["table"]["format"] == "binary"
    assert {"202", "413", "422"} <= set(create["responses"])
    for name in ("ResultFile", "Atlas", "Region", "PaintOptions"):
        properties = spec["components"]["schemas"][name]["properties"]
        assert all(field.get("description") for field in properties.values()), name


def _user_id(app, name):
    from sqlalchemy import select

    from cortico.db import User

    with app.extensions["cortico.db"].session() as session:
        return session.execute(select(User.id).where(User.name == name)).scalar_one()


def _import_blobs(app, owner, tmp_path):
    """A small imported volume atlas (two touching blobs), saved in the app's atlas store."""
    import nibabel as nib
    import numpy as np

    from cortico.atlases import import_volume_atlas
    from cortico.paint import atlas_store

    data = np.zeros((30, 24, 24), dtype=np.int16)
    data[4:14, 6:18, 6:18] = 1
    data[14:26, 6:18, 6:18] = 2
    volume = tmp_path / "blobs.nii.gz"
    nib.save(nib.Nifti1Image(data, np.eye(4)), volume)
    table = tmp_path / "labels.csv"
    table.write_text("id,name,r,g,b\n1,Left-Front,200,0,0\n2,Right-Back,0,0,200\n")
    atlas = import_volume_atlas("blobs", volume, table, smoothing_iterations=5, decimation=0.0)
    atlas_store(app.config).save(owner, atlas)


def test_imported_atlases_are_listed_and_painted_for_their_owner_only(instance, start_worker, tmp_path):
    app = make_app(instance, PAINT_PROCESSES=1)
    client, alice, bob = app.test_client(), add_user(app, "alice"), add_user(app, "bob")
    _import_blobs(app, _user_id(app, "alice"), tmp_path)
    listing = {atlas["name"]: atlas for atlas in client.get("/api/v1/atlases/", headers=alice).json}
    mine = listing["user:blobs"]
    assert mine["imported"] is True and (mine["cortical_regions"], mine["subcortical_regions"]) == (0, 2)
    assert "user:blobs" not in {atlas["name"] for atlas in client.get("/api/v1/atlases/", headers=bob).json}
    template = client.get(mine["templates"]["v2"], headers=alice).get_data(as_text=True)
    assert template.splitlines()[0] == "Image-name-unique,Left-Front,Right-Back"
    settings = {
        "atlas": "user:blobs",
        "views": ["subcortical-top"],
        "width": 64,
        "height": 48,
        "colors": ["#ffffff", "#00ff00"],
    }
    refused = post_csv(client, bob, b"Image-name-unique,Left-Front\na,1\n", settings)
    assert refused.status_code == 422
    assert refused.json["errors"] == ["You have no imported atlas named 'blobs'."]
    start_worker(app)
    created = post_csv(client, alice, b"Image-name-unique,Left-Front,Right-Back\na,1,\n", settings)
    assert created.status_code == 202, created.json
    final = wait_for(
        lambda: (b := client.get(created.json["links"]["self"], headers=alice).json)["finished"] and b,
        timeout=120,
        what="imported-atlas job",
    )
    assert final["state"] == "succeeded", final["error"]
    png = client.get(f"/api/v1/paint/jobs/{final['id']}/files/subcortical-top_a.png", headers=alice)
    pixels = np.asarray(Image.open(io.BytesIO(png.data)).convert("RGB"), dtype=int)
    green = (pixels[..., 1] > 150) & (pixels[..., 0] < 90) & (pixels[..., 2] < 90)
    grey = (np.abs(pixels - 158).max(axis=2) < 40) & (pixels.std(axis=2) < 8)
    assert green.sum() > 30 and grey.sum() > 30  # the painted blob, and the one without a value
