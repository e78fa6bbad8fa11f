"""The painting pages with Flask's test client: form, validation, CSRF, job page, files, 3D mesh."""

import base64
import html
import io
import json
import re
import struct
import zipfile

import numpy as np
import pytest
from PIL import Image

from cortico.paint import NAMED_VIEWS
from tests.conftest import make_app, wait_for

GOOD_CSV = (
    b"Image-name-unique,Left-superiorfrontal,Right-superiorfrontal,Left-Hippocampus\r\n"
    b"control,3.0,2.4,1.0\r\npatient,1.0,,0.2\r\n"
)
BAD_CSV = b"Subject;Left-superiorfrontl;Right-precentral\ns1;1;abc\n"


def csrf_token(client, path="/paint/"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_data(token, **changes):
    data = {
        "csrf_token": token,
        "atlas": "dk",
        "surface": "pial",
        "views": ["cortical-outer-left-hemisphere", "top"],
        "color_mode": "stops",
        "colors": ["#ffffff", "#ffff00", "#ff0000"],
        "cmap": "viridis",
        "vmin": "",
        "vmax": "",
        "center": "",
        "label": "Thickness (mm)",
        "nodata_color": "#9e9e9e",
        "background": "#ffffff",
        "width": "96",
        "height": "72",
        "panel": "on",
        "panel_formats": ["png"],
        "movie_view": "top",
        "movie_steps": "0",
        "movie_fps": "2",
        "movie_formats": ["gif"],
    }
    data.update(changes)
    return data


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def test_form_shows_every_view_with_its_thumbnail_and_the_templates(client):
    page = client.get("/paint/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for name in NAMED_VIEWS:
        assert f'value="{name}"' in body
        assert f'src="/static/paint/views/{name}.png"' in body
    thumbnail = client.get("/static/paint/views/cortical-outer-left-hemisphere.png")
    image = Image.open(io.BytesIO(thumbnail.data))
    assert image.size == (160, 120) and image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((80, 60))[3] == 255
    for atlas in ("dk", "destrieux", "dkt", "aseg"):
        assert f'href="/paint/templates/{atlas}-v2.csv"' in body
    template = client.get("/paint/templates/destrieux-v2.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    lines = template.get_data(as_text=True).splitlines()
    assert len(lines[0].split(",")) == 1 + 174 and lines[2].startswith("image-2,")
    assert client.get("/paint/templates/dk-v9.csv").status_code == 404
    assert client.get("/paint/templates/nothing-v2.csv").status_code == 404
    assert 'name="csrf_token"' in body
    assert "Brain painting" in client.get("/").get_data(as_text=True)  # the landing page's tool card


def test_post_without_csrf_token_is_refused_in_plain_words(client):
    response = client.post(
        "/paint/", data=form_data("", table=(io.BytesIO(GOOD_CSV), "v.csv")), content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "security token is missing or expired" in text_of(response)


def test_wrong_table_lists_every_problem_and_keeps_what_was_entered(client):
    token = csrf_token(client)
    response = client.post(
        "/paint/",
        data=form_data(
            token,
            table=(io.BytesIO(BAD_CSV), "my data.csv"),
            vmin="abc",
            vmax="2",
            label="Cortical thickness (mm)",
            views=["top", "subcortical-top"],
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text_of(response)
    for message in (
        "Lowest value (vmin): 'abc' is not a number.",
        "Row 1: the first column must be 'Image-name-unique' (found 'Subject').",
        "Column 'Left-superiorfrontl': no region of atlas 'dk' has this name; did you mean 'Left-superiorfrontal'?",
        "Row 2, column 'Right-precentral': 'abc' is not a number",
    ):
        assert message in page, message
    assert "4 problems to fix before painting" in page
    assert "Closest region names:" in page and "<code>Left-superiorfrontal</code>" in page
    assert 'value="Cortical thickness (mm)"' in page and 'name="vmin" value="abc"' in page
    assert re.search(r'value="top"\s+checked', page) and re.search(r'value="subcortical-top"\s+checked', page)
    assert not re.search(r'value="cortical-outer-left-hemisphere"\s+checked', page)
    kept = re.search(r'name="kept_table" value="([^"]*)"', page).group(1)
    assert base64.b64decode(kept) == BAD_CSV
    assert "Using my data.csv from your last try" in re.sub(r"<[^>]+>", "", page)


def test_kept_table_is_used_when_no_new_file_is_chosen(app, client):
    token = csrf_token(client)
    first = client.post(
        "/paint/",
        data=form_data(token, table=(io.BytesIO(GOOD_CSV), "thickness.csv"), vmin="5", vmax="1"),
        content_type="multipart/form-data",
    )
    assert first.status_code == 422
    assert "vmax (1) must be greater than vmin (5)." in text_of(first)
    kept = re.search(r'name="kept_table" value="([^"]*)"', first.get_data(as_text=True)).group(1)
    second = client.post(
        "/paint/", data=form_data(token, kept_table=kept, kept_name="thickness.csv"), content_type="multipart/form-data"
    )
    assert second.status_code == 303
    job_id = second.headers["Location"].rsplit("/", 1)[1]
    folder = app.extensions["celery"].cortico.job_folder(job_id)
    assert (folder / "input" / "values.csv").read_bytes() == GOOD_CSV
    page = client.get(f"/paint/jobs/{job_id}")
    assert page.status_code == 200
    assert "<h1>thickness.csv</h1>" in page.get_data(as_text=True)
    assert "Waiting for a free worker" in page.get_data(as_text=True)
    assert "Stop this job" in page.get_data(as_text=True)
    stranger = app.test_client()  # sees the shared page, cannot stop the job
    assert "Stop this job" not in stranger.get(f"/paint/jobs/{job_id}").get_data(as_text=True)
    refused = stranger.post(f"/paint/jobs/{job_id}/cancel", data={"csrf_token": csrf_token(stranger)})
    assert refused.status_code == 403
    stopped = client.post(f"/paint/jobs/{job_id}/cancel", data={"csrf_token": token})
    assert stopped.status_code == 303
    assert "This job was stopped before it finished." in client.get(f"/paint/jobs/{job_id}").get_data(as_text=True)


def test_page_limits_say_what_is_allowed(instance):
    app = make_app(instance, PAINT_MAX_ROWS=1)
    client = app.test_client()
    response = client.post(
        "/paint/",
        data=form_data(csrf_token(client), table=(io.BytesIO(GOOD_CSV), "v.csv")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "The table has more than 1 data rows; this server paints at most 1 rows per job." in text_of(response)


def test_no_view_ticked_is_a_problem(client):
    response = client.post(
        "/paint/",
        data=form_data(csrf_token(client), table=(io.BytesIO(GOOD_CSV), "v.csv"), views=[]),
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "No view is ticked; choose at least one view." in text_of(response)


def test_unknown_job_pages_are_404(client):
    for path in (
        "/paint/jobs/nope",
        "/paint/jobs/nope/status",
        "/paint/jobs/nope/zip",
        "/paint/jobs/nope/3d/0",
        "/paint/jobs/nope/mesh/0.bin",
        "/paint/jobs/nope/files/top_a.png",
        "/paint/?from=nope",
    ):
        assert client.get(path).status_code == 404, path


def _decode_mesh(data):
    (length,) = struct.unpack("<I", data[:4])
    header = json.loads(data[4 : 4 + length])
    offset = 4 + length
    positions = np.frombuffer(data, "<f4", header["vertex_count"] * 3, offset).reshape(-1, 3)
    offset += positions.nbytes
    indices = np.frombuffer(data, "<u4", header["index_count"], offset)
    offset += indices.nbytes
    colors = np.frombuffer(data, np.uint8, header["vertex_count"] * 3, offset).reshape(-1, 3)
    assert offset + colors.nbytes == len(data)
    return header, positions, indices, colors


@pytest.mark.gl
def test_job_runs_from_the_page_to_the_gallery_zip_3d_and_paint_again(instance, start_worker):
    app = make_app(instance, PAINT_PROCESSES=2)
    client = app.test_client()
    start_worker(app)
    response = client.post(
        "/paint/",
        data=form_data(csrf_token(client), table=(io.BytesIO(GOOD_CSV), "thick.csv")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    job_url = response.headers["Location"]
    job_id = job_url.rsplit("/", 1)[1]
    assert len(job_id) >= 22  # 128 random bits
    statuses = []

    def done():
        status = client.get(f"{job_url}/status").json
        statuses.append(status)
        return status["finished"] and status

    final = wait_for(done, timeout=120, interval=0.05, what="job from the page")
    assert final["state"] == "succeeded", final["error"]
    numbered = [s for s in statuses if s["step"] == "image"]
    assert numbered and all(s["total"] == 4 and 0 <= s["done"] <= 4 for s in numbered)
    assert all(
        s["message"] == f"image {s['done']} of 4" or s["message"].startswith(f"image {s['done']} of 4: ")
        for s in numbered
    )
    assert (final["step"], final["done"], final["total"]) == ("zip", 1, 1)
    stranger = app.test_client()  # the job page is shared by its address alone
    page = text_of(stranger.get(job_url))
    for row in ("control", "patient"):
        for caption in ("Left lateral", "Superior"):
            assert re.search(rf"<strong>{row}</strong> · {caption}", page), (row, caption)
    assert "Download everything (zip)" in page and "Paint again with these settings" in page
    image = stranger.get(f"{job_url}/files/top_control.png")
    assert image.status_code == 200 and Image.open(io.BytesIO(image.data)).size == (96, 72)
    download = stranger.get(f"{job_url}/files/top_control.png?download=1")
    assert "attachment" in download.headers["Content-Disposition"]
    assert stranger.get(f"{job_url}/files/thumbs/top_control.png").status_code == 200
    assert stranger.get(f"{job_url}/files/../input/values.csv").status_code == 404
    with zipfile.ZipFile(io.BytesIO(stranger.get(f"{job_url}/zip").data)) as archive:
        assert {"top_control.png", "panel_patient.png", "values.csv", "settings.json"} <= set(archive.namelist())
    assert stranger.get(f"{job_url}/values.csv").data == GOOD_CSV
    again = text_of(client.get(f"/paint/?from={job_id}"))
    assert 'value="Thickness (mm)"' in again and 'name="width" value="96"' in again
    assert re.search(r'value="top"\s+checked', again)
    assert "Using thick.csv again" in re.sub(r"<[^>]+>", "", again)
    kept = re.search(r'name="kept_table" value="([^"]*)"', again).group(1)
    assert base64.b64decode(kept) == GOOD_CSV
    assert "3D" in text_of(stranger.get(f"{job_url}/3d/1"))
    assert stranger.get(f"{job_url}/3d/2").status_code == 404
    mesh = stranger.get(f"{job_url}/mesh/0.bin")
    assert mesh.status_code == 200
    header, positions, indices, colors = _decode_mesh(mesh.data)
    assert header["title"] == "control"
    kinds = {part["name"]: part["kind"] for part in header["parts"]}
    assert kinds["cortex-lh"] == kinds["cortex-rh"] == "cortex" and kinds["lh.Hippocampus"] == "subcortical"
    assert indices.max() < len(positions) and np.isfinite(positions).all()
    # Left superior frontal holds the row's maximum (3.0): pure red, the top of the stops.
    lh = next(part for part in header["parts"] if part["name"] == "cortex-lh")
    left = colors[lh["vertex_offset"] : lh["vertex_offset"] + lh["vertex_count"]]
    assert (np.all(left == [255, 0, 0], axis=1)).sum() > 100
    # Right superior frontal is empty in row 'patient': no data grey there, no red anywhere on the right.
    header, _, _, colors = _decode_mesh(stranger.get(f"{job_url}/mesh/1.bin").data)
    rh = next(part for part in header["parts"] if part["name"] == "cortex-rh")
    right = colors[rh["vertex_offset"] : rh["vertex_offset"] + rh["vertex_count"]]
    assert (np.all(right == [0x9E, 0x9E, 0x9E], axis=1)).sum() > 100
    assert not np.all(right == [255, 0, 0], axis=1).any()
    # the page saved the checked request once; a job from before saved requests is checked again
    saved = app.extensions["celery"].cortico.job_folder(job_id) / "input" / "request.npz"
    assert saved.is_file()
    saved.unlink()
    assert stranger.get(f"{job_url}/mesh/0.bin").data == mesh.data


def test_the_mesh_chosen_on_the_form_is_the_mesh_of_the_saved_request(app, client):
    from cortico.paint import PaintRequest

    response = client.post(
        "/paint/",
        data=form_data(csrf_token(client), table=(io.BytesIO(GOOD_CSV), "t.csv"), mesh="fsaverage5"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, text_of(response)
    folder = app.extensions["celery"].cortico.job_folder(response.headers["Location"].rsplit("/", 1)[1])
    saved = PaintRequest.load(folder / "input")
    assert saved.settings.mesh == "fsaverage5" and saved.atlas.surface("pial", "lh").n_vertices == 10_242
    assert 'value="fsaverage6"' in client.get("/paint/").get_data(as_text=True)
