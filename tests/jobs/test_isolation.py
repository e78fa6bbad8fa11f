"""Cancelling running jobs at random moments never wedges the worker (issue 13, item 1)."""

import gzip
import random

import nibabel as nib
import numpy as np
import pytest

from tests.conftest import add_user, make_app, wait_for
from tests.jobs.test_align_kinds import BASE, file_bytes, write_config
from tests.web._volumes import nifti_bytes, upload

SMALL_PAINT = {"width": 160, "height": 120, "views": ["top", "bottom", "anterior", "posterior"]}


@pytest.fixture(scope="module")
def patch():
    from cortico.align._synthetic import make_synthetic_patch

    return make_synthetic_patch(size=24, voxel_size=2.0, n_landmarks=8, n_held_out=0)


def _job(client, headers, job_id):
    response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def _submit(client, headers, path, payload):
    response = client.post(path, json=payload, headers=headers)
    assert response.status_code in (200, 201, 202), response.json
    body = response.json
    return body.get("id") or body["status_polling_url"].rsplit("/", 1)[1]


def test_twenty_cancels_at_random_moments_never_wedge_the_worker(instance, patch, start_worker):
    nib.save(patch.template_depth, instance / "template-depth.nii.gz")
    write_config(instance, TEMPLATE_DEPTH_PATH=str(instance / "template-depth.nii.gz"))
    app = make_app(instance, PAINT_PROCESSES=1)
    client, alice = app.test_client(), add_user(app, "alice")
    assert upload(client, alice, gzip.compress(file_bytes(patch.incoming_image)), "patch.nii.gz").status_code == 200
    assert upload(client, alice, gzip.compress(file_bytes(patch.incoming_depth)), "depth.nii.gz").status_code == 200
    big_slab = np.zeros((48, 48, 48), np.uint8)
    big_slab[:, :, 16:30], big_slab[:, :, 30:] = 100, 200
    upload(client, alice, nifti_bytes(big_slab), "slab.nii.gz", segmentation=True)
    # One pool process: a wedged one would stop every later job.
    start_worker(app, concurrency=1)

    kinds = {
        "align": (
            "/v0/alignment-computation/",
            {
                "image_service_base_url": BASE,
                "image_name": "patch",
                "depth_map_name": "depth",
                "transformation_matrix": patch.matrix.tolist(),
                "landmark_pairs": patch.landmark_pairs,
            },
        ),
        "depth": ("/v0/depth-map-computation/", {"image_service_base_url": BASE, "segmentation_name": "slab"}),
        "paint": (
            "/api/v1/jobs/",
            {
                "kind": "paint",
                "params": {
                    "values": {f"row{i}": {"Left-superiorfrontal": float(i)} for i in range(12)},
                    "settings": SMALL_PAINT,
                },
            },
        ),
    }
    follow_up = ("/api/v1/jobs/", {"kind": "test.sleepy", "params": {"steps": 2, "delay": 0.05}})
    rng = random.Random(13)
    outcomes = []
    for attempt in range(20):
        kind = ["align", "depth", "paint"][attempt % 3]
        job_id = _submit(client, alice, *kinds[kind])
        wait_for(lambda j=job_id: _job(client, alice, j)["state"] != "queued", timeout=120, what=f"{kind} job to start")
        # a random moment of the run: downloading, computing, rendering, uploading
        _sleep_while_running(client, alice, job_id, rng.uniform(0, 2.5))
        cancelled = client.delete(f"/api/v1/jobs/{job_id}", headers=alice)
        assert cancelled.status_code == 200, cancelled.json
        after = _submit(client, alice, *follow_up)
        final = wait_for(
            lambda j=after: (b := _job(client, alice, j))["finished"] and b,
            timeout=120,
            what=f"the job after cancel #{attempt + 1} ({kind})",
        )
        assert final["state"] == "succeeded", final
        outcomes.append((kind, _job(client, alice, job_id)["state"]))
    # every cancelled job stayed cancelled, or had already finished before the cancel arrived
    assert all(state in ("cancelled", "succeeded") for _, state in outcomes), outcomes
    assert sum(state == "cancelled" for _, state in outcomes) >= 15, outcomes
    health = client.get("/api/v1/workers/health")
    assert health.status_code == 200, health.json


def _sleep_while_running(client, headers, job_id, seconds):
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not _job(client, headers, job_id)["finished"]:
        time.sleep(0.05)


def test_cancelled_depth_job_leaves_no_process_behind(app, client, start_worker):
    alice = add_user(app, "alice")
    volume = np.zeros((64, 64, 64), np.uint8)
    volume[:, :, 20:40], volume[:, :, 40:] = 100, 200
    upload(client, alice, nifti_bytes(volume), "slab.nii.gz", segmentation=True)
    worker = start_worker(app, concurrency=1)
    job_id = _submit(
        client, alice, "/v0/depth-map-computation/", {"image_service_base_url": BASE, "segmentation_name": "slab"}
    )
    wait_for(
        lambda: _job(client, alice, job_id)["message"].startswith("computing"), timeout=120, what="depth computing"
    )
    before = _descendants(worker.process.pid)
    assert client.delete(f"/api/v1/jobs/{job_id}", headers=alice).status_code == 200
    # the job's own process (a grandchild of the Celery worker) is killed; the pool process stays
    wait_for(lambda: len(_descendants(worker.process.pid)) < len(before), timeout=30, what="job process to end")
    assert _job(client, alice, job_id)["state"] == "cancelled"


def _descendants(pid):
    import subprocess

    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children = {}
    for line in out.splitlines():
        child, parent = map(int, line.split())
        children.setdefault(parent, []).append(child)
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found
