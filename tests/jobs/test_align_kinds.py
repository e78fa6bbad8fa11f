"""The depth and align job kinds on real workers: outputs, failures, remote image services."""

import json
import stat
import threading
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import requests

from tests.conftest import add_user, make_app
from tests.web._volumes import cortex_slab, nifti_bytes, poll, upload

BASE = "http://localhost/image-service/"


def write_config(instance, **settings):
    """Settings both the app and its workers read (the instance folder's config.py)."""
    lines = [f"{key} = {value!r}" for key, value in settings.items()]
    (instance / "config.py").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def patch():
    from cortico.align._synthetic import make_synthetic_patch

    return make_synthetic_patch(size=32, voxel_size=2.0, n_landmarks=12, n_held_out=2)


def file_bytes(image):
    return nib.Nifti1Image(np.asarray(image.dataobj, np.float32), image.affine, image.header).to_bytes()


def test_alignment_stores_outputs_and_uploads_the_resampled_image(instance, patch, start_worker):
    import gzip

    nib.save(patch.template_depth, instance / "template-depth.nii.gz")
    write_config(instance, TEMPLATE_DEPTH_PATH=str(instance / "template-depth.nii.gz"))
    app = make_app(instance)
    client, alice, bob = app.test_client(), add_user(app, "alice"), add_user(app, "bob")
    assert upload(client, alice, gzip.compress(file_bytes(patch.incoming_image)), "patch.nii.gz").status_code == 200
    assert (
        upload(client, alice, gzip.compress(file_bytes(patch.incoming_depth)), "patch-depth.nii.gz").status_code == 200
    )
    pairs = [{**pair, "colour": "#ff0000"} for pair in patch.landmark_pairs]
    pairs.append({**patch.held_out_pairs[0], "active": False})
    request = {
        "image_service_base_url": BASE,
        "image_name": "patch",
        "depth_map_name": "patch-depth",
        "transformation_matrix": patch.matrix.tolist(),
        "landmark_pairs": pairs,
    }
    response = client.post("/v0/alignment-computation/", json=request, headers=alice)
    assert response.status_code == 202, response.json
    start_worker(app)
    final, messages = poll(client, response.json["status_polling_url"], timeout=180)
    assert final["message"] == "SUCCESS (success)", messages
    assert any(m.startswith("PROGRESS (") for m in messages), messages

    results = final["results"]
    assert results["image_service_base_url"] == BASE
    quality = results["quality"]  # an extra field beside the seed's four
    assert quality["depth_agreement"] == "improved" and quality["warnings"] == []
    assert quality["landmark_mean_residual_after_mm"] < 0.5 * quality["landmark_mean_residual_before_mm"]
    assert quality["depth_mean_squared_difference_after"] < quality["depth_mean_squared_difference_before"]
    assert results["transformed_image_name"].startswith("patch-transformed-20")
    assert np.allclose(results["transformation_matrix"], patch.matrix)
    entry = next(
        e
        for e in client.get("/image-service/list", headers=alice).json
        if e["name"] == results["transformed_image_name"]
    )
    assert results["transformed_image_neuroglancer_url"] == "precomputed://" + BASE + entry["links"]["normalized"][1:]

    job_id = response.json["status_polling_url"].rsplit("/", 1)[1]
    listing = client.get(f"/api/v1/align/jobs/{job_id}/files", headers=alice)
    assert listing.status_code == 200
    assert {f["role"] for f in listing.json} == {
        "resampled_image",
        "affine",
        "forward_warp",
        "inverse_warp",
        "composite",
        "report",
    }
    assert client.get(f"/api/v1/jobs/{job_id}", headers=alice).json["result"]["quality"] == quality
    report = client.get(f"/api/v1/align/jobs/{job_id}/files/report", headers=alice).json
    assert report["landmarks"]["count"] == 12
    assert report["landmarks"]["mean_residual_after_mm"] < report["landmarks"]["mean_residual_before_mm"]
    assert report["depth"]["mean_squared_difference_after"] < report["depth"]["mean_squared_difference_before"]
    warp = client.get(f"/api/v1/align/jobs/{job_id}/files/forward_warp", headers=alice)
    assert nib.Nifti1Image.from_bytes(gzip.decompress(warp.data)).shape[:3] == patch.incoming_depth.shape
    assert client.get(f"/api/v1/align/jobs/{job_id}/files", headers=bob).status_code == 404
    assert client.get(f"/api/v1/align/jobs/{job_id}/files/report", headers=bob).status_code == 404
    assert client.get(f"/api/v1/align/jobs/{job_id}/files/nothing", headers=alice).status_code == 404

    stored = client.get(f"/image-service/download/{results['transformed_image_name']}.nii", headers=alice)
    resampled = np.asarray(nib.Nifti1Image.from_bytes(stored.data).dataobj)
    ideal, incoming = np.asarray(patch.ideal_image.dataobj), np.asarray(patch.incoming_image.dataobj)
    inside = ideal > 0
    assert np.mean(np.abs(resampled - ideal)[inside]) < np.mean(np.abs(incoming - ideal)[inside])


def test_alignment_failure_carries_a_message_on_redis(instance, redis_url, postgres_url, start_worker):
    write_config(instance, TEMPLATE_DEPTH_PATH=str(instance / "template-depth.nii.gz"))
    # as large as the patch: an alignment placing most of it outside the template is refused at submission
    nib.save(nib.Nifti1Image(np.full((24, 24, 24), 0.5, np.float32), np.eye(4)), instance / "template-depth.nii.gz")
    app = make_app(instance, BROKER_URL=redis_url, DATABASE_URL=postgres_url)
    client, alice = app.test_client(), add_user(app, "alice")
    labels = cortex_slab().astype(np.float32)
    upload(client, alice, nifti_bytes(labels), "patch.nii.gz")
    upload(client, alice, nifti_bytes(labels), "not-a-depth-map.nii.gz")  # values up to 200
    start_worker(app)
    response = client.post(
        "/v0/alignment-computation/",
        headers=alice,
        json={
            "image_service_base_url": BASE,
            "image_name": "patch",
            "depth_map_name": "not-a-depth-map",
            "transformation_matrix": np.eye(4).tolist(),
            "landmark_pairs": [],
        },
    )
    final, _ = poll(client, response.json["status_polling_url"])
    assert final["error"] is True
    assert final["message"].startswith("FAILURE (incoming depth map must hold depths in [0, 1]")
    app.extensions["cortico.db"].dispose()


def test_depth_job_through_our_api_with_a_label_mapping(app, client, start_worker):
    alice = add_user(app, "alice")
    freesurfer_like = np.select([cortex_slab() == 100, cortex_slab() == 200], [3, 2], 0).astype(np.int16)
    upload(client, alice, nifti_bytes(freesurfer_like), "ribbon.nii.gz", url="/api/v1/images/", segmentation="true")
    bad = client.post(
        "/api/v1/align/depth-jobs",
        headers=alice,
        json={"segmentation_name": "ribbon", "labels": {"cortex": [3], "white": [3]}},
    )
    assert bad.status_code == 422 and "both cortex and white" in bad.json["message"]
    created = client.post(
        "/api/v1/align/depth-jobs",
        headers=alice,
        json={"segmentation_name": "ribbon", "labels": {"cortex": [3], "white": [2]}, "layers": 3},
    )
    assert created.status_code == 202, created.json
    start_worker(app)
    from tests.conftest import wait_for

    job = wait_for(
        lambda: (b := client.get(created.json["links"]["self"], headers=alice).json)["finished"] and b, what="depth job"
    )
    assert job["state"] == "succeeded", job
    assert job["result"]["depth_map_name"] == "ribbon-equivolumetric-depth"
    assert job["result"]["cortex_voxels"] == int((cortex_slab() == 100).sum())
    volume = next(
        i for i in client.get("/api/v1/images/", headers=alice).json if i["name"] == "ribbon-equivolumetric-depth"
    )
    assert volume["source_job_id"] == job["id"]
    assert volume["links"]["neuroglancer"] == job["result"]["depth_map_neuroglancer_url"]
    assert job["result"]["layers_name"] == "ribbon-equivolumetric-layers"
    assert job["result"]["undefined_fraction"] == 0.0
    assert job["result"]["path_limit_mm"] == pytest.approx(18.0)  # 3 x the 6 mm thickness
    layers_volume = next(
        i for i in client.get("/api/v1/images/", headers=alice).json if i["name"] == "ribbon-equivolumetric-layers"
    )
    assert layers_volume["links"]["neuroglancer"] == job["result"]["layers_neuroglancer_url"]


def test_depth_job_fails_above_the_undefined_fraction_and_v0_reports_it(instance, start_worker):
    write_config(instance, DEPTH_MAX_UNDEFINED_FRACTION=0.05)
    app = make_app(instance)
    client, alice = app.test_client(), add_user(app, "alice")
    thick = cortex_slab(shape=(6, 6, 16), pial=2, white=14)  # 12 mm of cortex at 1 mm
    upload(client, alice, nifti_bytes(thick), "thick.nii.gz", url="/api/v1/images/", segmentation="true")
    bad = client.post("/api/v1/align/depth-jobs", headers=alice, json={"segmentation_name": "thick", "max_path_mm": -1})
    assert bad.status_code == 422 and "max_path_mm" in json.dumps(bad.json)
    limited = client.post(
        "/api/v1/align/depth-jobs", headers=alice, json={"segmentation_name": "thick", "max_path_mm": 6}
    )
    assert limited.status_code == 202, limited.json
    adaptive = client.post(
        "/v0/depth-map-computation/", headers=alice, json={"image_service_base_url": BASE, "segmentation_name": "thick"}
    )
    assert adaptive.status_code == 202, adaptive.json
    start_worker(app)
    from tests.conftest import wait_for

    job = wait_for(
        lambda: (b := client.get(limited.json["links"]["self"], headers=alice).json)["finished"] and b, what="job"
    )
    assert job["state"] == "failed", job
    assert "% of the 432 cortex voxels have no depth (more than the accepted 5 %)" in job["error"]
    assert "longer than the path limit of 6 mm" in job["error"]
    assert "likely cause is a wrong voxel size in the header (1, 1, 1 mm used" in job["error"]
    final, _ = poll(client, adaptive.json["status_polling_url"])
    assert final["message"] == "SUCCESS (success)", final
    assert final["results"]["undefined_fraction"] == 0.0
    names = [i["name"] for i in client.get("/api/v1/images/", headers=alice).json]
    assert names.count("thick-equivolumetric-depth") == 1  # the failed job uploaded nothing
    app.extensions["cortico.db"].dispose()


# --- a remote Chumni-compatible image service -----------------------------------------------------------------


@pytest.fixture
def remote_service(tmp_path):
    """Another cortico server, reached over real HTTP on 127.0.0.1, as the remote image service."""
    from werkzeug.serving import make_server

    folder = tmp_path / "remote"
    folder.mkdir()
    remote = make_app(folder)
    token = add_user(remote, "carol")
    server = make_server("127.0.0.1", 0, remote, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/image-service/", token
    server.shutdown()
    remote.extensions["cortico.db"].dispose()


def test_remote_service_gets_the_token_which_never_enters_the_queue(instance, remote_service, start_worker):
    base, headers = remote_service
    token = headers["Authorization"].split()[1]
    content = nifti_bytes(cortex_slab())
    sent = requests.post(
        base + "upload",
        headers={**headers, "X-CHUNMA-SEGMENTATION": "true"},
        files={"image": ("seg.nii.gz", content)},
        timeout=30,
    )
    assert sent.status_code == 200, sent.text
    write_config(instance, REMOTE_IMAGE_SERVICES=r"http://127\.0\.0\.1:\d+/image-service/")
    app = make_app(instance)
    client = app.test_client()

    wrong = client.post(
        "/v0/depth-map-computation/",
        headers={"Authorization": "Bearer wrong"},
        json={"image_service_base_url": base, "segmentation_name": "seg"},
    )
    assert wrong.status_code == 401 and "401" in wrong.json["errors"][0]
    response = client.post(
        "/v0/depth-map-computation/", headers=headers, json={"image_service_base_url": base, "segmentation_name": "seg"}
    )
    assert response.status_code == 202, response.json
    job_id = response.json["status_polling_url"].rsplit("/", 1)[1]

    from cortico.db import Job

    with app.extensions["cortico.db"].session() as session:
        job = session.get(Job, job_id)
        assert token not in json.dumps(job.params)
        assert job.params["image_service_base_url"] == base and job.params["image_service_local"] is False
        assert job.owner.name.startswith("remote-")
    broker = Path(app.config["INSTANCE_PATH"]) / "broker"
    messages = [p.read_bytes() for p in broker.rglob("*") if p.is_file()]
    assert messages and not any(token.encode() in m for m in messages)
    credential = Path(app.config["STORAGE_PATH"]) / "jobs" / job_id / "image-service-credential"
    assert stat.S_IMODE(credential.stat().st_mode) == 0o600
    assert token.encode() not in credential.read_bytes()

    start_worker(app)
    final, _ = poll(client, response.json["status_polling_url"])
    assert final["message"] == "SUCCESS (success)", final
    assert final["results"]["image_service_base_url"] == base
    remote_list = requests.get(base + "list", headers=headers, timeout=30).json()
    entry = next(e for e in remote_list if e["name"] == "seg-equivolumetric-depth")
    assert final["results"]["depth_map_neuroglancer_url"] == "precomputed://" + base + entry["links"]["normalized"][1:]
    assert requests.get(base + entry["links"]["normalized"][1:] + "/info", timeout=30).json()["type"] == "image"
    assert not credential.exists()
    assert app.test_client().get("/image-service/list", headers=add_user(app, "dave")).json == []
    app.extensions["cortico.db"].dispose()
