"""A full disk during a job fails that job with a message and leaves other data intact."""

import os
import subprocess

import pytest

from tests.conftest import add_user, make_app, wait_for


@pytest.fixture
def small_storage(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    folder = tmp_path / "storage"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1200k", "tmpfs", str(folder)], check=True)
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=True)


def test_disk_full_fails_the_job_with_a_message_and_keeps_other_results(instance, small_storage, start_worker):
    app = make_app(instance, STORAGE_PATH=str(small_storage))
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)

    def run(settings):
        response = client.post(
            "/api/v1/paint/jobs",
            headers=headers,
            json={"values": {"a": {"Left-superiorfrontal": 1.0, "Right-precuneus": 2.0}}, "settings": settings},
        )
        assert response.status_code == 202, response.json
        job_id = response.json["id"]
        return wait_for(
            lambda: (b := client.get(f"/api/v1/jobs/{job_id}", headers=headers).json)["finished"] and b,
            timeout=120,
            what="painting job",
        )

    small = run({"views": ["top"], "width": 96, "height": 72})
    assert small["state"] == "succeeded", small["error"]
    files = client.get(f"/api/v1/paint/jobs/{small['id']}/files", headers=headers).json
    before = {f["name"]: client.get(f["url"], headers=headers).data for f in files["files"]}
    assert before

    big = run(
        {
            "views": [
                "top",
                "bottom",
                "anterior",
                "posterior",
                "cortical-outer-left-hemisphere",
                "cortical-outer-right-hemisphere",
            ],
            "width": 2400,
            "height": 1800,
            "panel": True,
        }
    )
    assert big["state"] == "failed"
    assert "No space left on device" in big["error"]

    after = {
        name: client.get(f"/api/v1/paint/jobs/{small['id']}/files/{name}", headers=headers).data for name in before
    }
    assert after == before
