"""The cortical alignment pages through the test client (forms, CSRF, ownership, job page)."""

import gzip
import io
import json
import re

import nibabel as nib
import numpy as np
import pytest

from tests.conftest import wait_for
from tests.web._volumes import cortex_slab, nifti_bytes, ramp


def csrf(client):
    page = client.get("/align/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post_volume(client, content, file_name, token, **fields):
    return client.post(
        "/align/volumes",
        content_type="multipart/form-data",
        data={"csrf_token": token, "image": (io.BytesIO(content), file_name), **fields},
    )


@pytest.fixture
def browser_client(app):
    client = app.test_client()
    return client, csrf(client)


def test_home_page_links_to_the_tool(client):
    assert 'href="/align/"' in client.get("/").get_data(as_text=True)


def test_upload_shows_the_volume_and_refuses_bad_files(app, browser_client):
    client, token = browser_client
    response = post_volume(client, nifti_bytes(cortex_slab()), "my-seg.nii.gz", token, segmentation="true")
    assert response.status_code == 303
    page = client.get("/align/").get_data(as_text=True)
    assert "Stored my-seg." in page
    assert re.search(r">my-seg</a></td>\s*<td>segmentation</td>\s*<td>12 × 12 × 24</td>", page)
    assert re.search(r"<option[^>]*>my-seg</option>", page)  # offered to the depth form

    bad = post_volume(client, b"not a volume at all" * 30, "bad.nii", token)
    assert bad.status_code == 422
    assert "The volume was not stored: not a NIfTI file" in bad.get_data(as_text=True)
    assert "bad</a>" not in client.get("/align/").get_data(as_text=True)
    assert post_volume(client, nifti_bytes(ramp()), "x.nii.gz", "wrong-token").status_code == 400


def test_volumes_and_jobs_belong_to_their_session(app, browser_client):
    client, token = browser_client
    post_volume(client, nifti_bytes(cortex_slab()), "seg.nii.gz", token, segmentation="true")
    job_url = client.post("/align/depth", data={"csrf_token": token, "segmentation_name": "seg"}).headers["Location"]
    page = client.get("/align/").get_data(as_text=True)
    volume_url = re.search(r'href="(/align/volumes/[^"/]+)">seg</a>', page).group(1)
    assert client.get(volume_url).status_code == 200
    assert client.get(job_url).status_code == 200

    stranger = app.test_client()
    stranger_token = csrf(stranger)
    assert "seg</a>" not in stranger.get("/align/").get_data(as_text=True)
    for url in (volume_url, volume_url + "/volume.nii.gz", job_url, job_url + "/status"):
        assert stranger.get(url).status_code == 404, url
    image_id = volume_url.rsplit("/", 1)[1]
    deleted = stranger.post(f"/align/volumes/{image_id}/delete", data={"csrf_token": stranger_token})
    assert deleted.status_code == 404
    assert client.get(volume_url).status_code == 200


def test_alignment_form_reports_bad_json_and_matrix(browser_client):
    client, token = browser_client
    post_volume(client, nifti_bytes(ramp()), "patch.nii.gz", token)
    form = {"csrf_token": token, "image_name": "patch", "depth_map_name": "patch", "landmark_pairs": ""}
    bad_json = client.post("/align/align", data={**form, "transformation_matrix": "[[1, 0, 0"})
    assert bad_json.status_code == 422
    assert "The matrix is not valid JSON" in bad_json.get_data(as_text=True)
    singular = client.post(
        "/align/align", data={**form, "transformation_matrix": "[[0,0,0,0],[0,1,0,0],[0,0,1,0],[0,0,0,1]]"}
    )
    assert singular.status_code == 422
    assert "singular" in singular.get_data(as_text=True)


def test_depth_job_page_follows_progress_then_shows_the_viewer(app, browser_client, start_worker):
    client, token = browser_client
    post_volume(client, nifti_bytes(cortex_slab()), "seg.nii.gz", token, segmentation="true")
    job_url = client.post("/align/depth", data={"csrf_token": token, "segmentation_name": "seg"}).headers["Location"]
    running = client.get(job_url).get_data(as_text=True)
    assert 'id="progress-box"' in running and "Waiting for a free worker" in running
    start_worker(app)
    status = wait_for(lambda: (s := client.get(job_url + "/status").json)["finished"] and s, what="depth job")
    assert status["state"] == "succeeded", status
    page = client.get(job_url).get_data(as_text=True)
    assert "The depth map <strong>seg-equivolumetric-depth</strong> is in your volumes" in page
    assert "vendor/niivue/niivue.umd.js" in page
    layers = json.loads(
        re.search(r'<script type="application/json" id="niivue-layers">(.*?)</script>', page, re.DOTALL).group(1)
    )
    assert [(layer["label"], layer["colormap"]) for layer in layers] == [
        ("seg", "gray"),
        ("seg-equivolumetric-depth", "viridis"),
    ]
    depth = nib.Nifti1Image.from_bytes(gzip.decompress(client.get(layers[1]["url"]).data))
    assert depth.shape == cortex_slab().shape and float(np.asarray(depth.dataobj).max()) == 1.0
    assert client.get("/static/vendor/niivue/niivue.umd.js").status_code == 200


def test_selectors_offer_patches_and_depth_maps_by_type(app, browser_client):
    client, token = browser_client
    assert post_volume(client, nifti_bytes(cortex_slab()), "seg.nii.gz", token, segmentation="true").status_code == 303
    assert post_volume(client, nifti_bytes(ramp()), "patch.nii.gz", token).status_code == 303
    page = client.get("/align/").get_data(as_text=True)
    form = page[page.index('name="image_name"') :]
    patch_options = re.findall(r"<option[^>]*>([^<]+)</option>", form[: form.index("</select>")])
    depth = form[form.index('name="depth_map_name"') :]
    depth_options = re.findall(r"<option[^>]*>([^<]+)</option>", depth[: depth.index("</select>")])
    assert patch_options == ["patch"] and depth_options == []
    assert "Compute the patch&#39;s depth map first" in page or "Compute the patch's depth map first" in page
    assert re.search(r'<button type="submit" disabled>Align</button>', page)

    assert post_volume(client, nifti_bytes(ramp()), "patch-depth.nii.gz", token).status_code == 303
    page = client.get("/align/").get_data(as_text=True)
    depth = page[page.index('name="depth_map_name"') :]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", depth[: depth.index("</select>")]) == ["patch-depth"]
    assert re.search(r'<button type="submit" >Align</button>', page)


def test_every_problem_of_matrix_and_landmarks_is_listed_at_once(app, browser_client):
    client, token = browser_client
    response = client.post(
        "/align/align",
        data={
            "csrf_token": token,
            "image_name": "patch",
            "depth_map_name": "patch-depth",
            "transformation_matrix": "[[1, 0, 0, 0], [0, 1, 0",
            "landmark_pairs": "1,2,3,4,5,6\n1,2,3\n",
            "preset": "fast",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The matrix is not valid JSON" in page
    assert "Landmark table, line 2: 3 numbers; expected 6" in page
    assert "[[1, 0, 0, 0], [0, 1, 0" in page  # the form is kept
