"""Jobs end to end over HTTP with real workers: embedded (SQLite + filesystem queue)
and distributed (PostgreSQL + Redis) modes run the same tests."""

from pathlib import Path

import pytest

from tests.conftest import add_user, make_app, wait_for


@pytest.fixture(params=["embedded", "distributed"])
def mode_app(request, instance):
    if request.param == "embedded":
        app = make_app(instance)
    else:
        redis_url = request.getfixturevalue("redis_url")
        postgres_url = request.getfixturevalue("postgres_url")
        app = make_app(instance, BROKER_URL=redis_url, DATABASE_URL=postgres_url)
    yield app
    app.extensions["cortico.db"].dispose()


def submit(client, headers, **params):
    response = client.post("/api/v1/jobs/", json={"kind": "test.sleepy", "params": params}, headers=headers)
    assert response.status_code == 202, response.json
    return response.json["id"]


def status(client, headers, job_id):
    response = client.get(f"/api/v1/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def runs_of(app, job_id):
    runs = Path(app.config["STORAGE_PATH"]) / "jobs" / job_id / "runs"
    return len(runs.read_text().split()) if runs.exists() else 0


def test_job_reports_progress_and_stores_result(mode_app, start_worker):
    client, headers = mode_app.test_client(), add_user(mode_app, "alice")
    start_worker(mode_app)
    job_id = submit(client, headers, steps=8, delay=0.4)
    seen = []

    def progressed():
        body = status(client, headers, job_id)
        seen.append((body["state"], body["progress"], body["message"]))
        return body["finished"] and body

    final = wait_for(progressed, timeout=90, interval=0.1, what="job to finish")
    assert final["state"] == "succeeded"
    assert final["result"]["steps"] == 8
    assert final["progress"] == 1.0
    intermediate = [(p, m) for s, p, m in seen if s == "running" and 0 < p < 1]
    assert len({p for p, _ in intermediate}) >= 3, seen
    assert all(m.startswith("step ") for _, m in intermediate)
    assert (Path(mode_app.config["STORAGE_PATH"]) / "jobs" / job_id / "result.txt").read_text() == "done"


def test_failing_job_carries_its_message(mode_app, start_worker):
    client, headers = mode_app.test_client(), add_user(mode_app, "alice")
    start_worker(mode_app)
    job_id = submit(client, headers, steps=5, delay=0.05, fail_at=2)
    final = wait_for(lambda: (b := status(client, headers, job_id))["finished"] and b, what="failure")
    assert final["state"] == "failed"
    assert final["error"] == "failing on purpose at step 2"
    assert final["message"] == "failing on purpose at step 2"
    assert final["result"] is None


def test_crashed_job_error_shows_no_sql(instance, start_worker):
    app = make_app(instance)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)
    job_id = submit(client, headers, steps=1, crash_with_sql=True)
    final = wait_for(lambda: (b := status(client, headers, job_id))["finished"] and b, what="failure")
    assert final["state"] == "failed"
    assert final["error"] == (
        "Internal error while running the job (DataError: a database error; "
        "the administrator can find details in the worker's log)."
    )
    assert "SELECT" not in final["message"]


def test_killed_worker_job_is_rerun_not_stuck(mode_app, start_worker):
    client, headers = mode_app.test_client(), add_user(mode_app, "alice")
    worker = start_worker(mode_app)
    job_id = submit(client, headers, steps=30, delay=0.2)
    wait_for(lambda: status(client, headers, job_id)["progress"] > 0.1, what="job to run")
    worker.kill()
    assert status(client, headers, job_id)["state"] == "running"
    start_worker(mode_app)
    final = wait_for(
        lambda: (b := status(client, headers, job_id))["finished"] and b, timeout=120, what="re-run to finish"
    )
    assert final["state"] == "succeeded"
    assert runs_of(mode_app, job_id) == 2


def test_job_whose_worker_keeps_dying_fails_with_message(instance, start_worker):
    app = make_app(instance, JOB_MAX_ATTEMPTS=1)
    client, headers = app.test_client(), add_user(app, "alice")
    worker = start_worker(app)
    job_id = submit(client, headers, steps=50, delay=0.2)
    wait_for(lambda: status(client, headers, job_id)["progress"] > 0.05, what="job to run")
    worker.kill()
    start_worker(app)
    final = wait_for(
        lambda: (b := status(client, headers, job_id))["finished"] and b, timeout=60, what="job to be failed"
    )
    assert final["state"] == "failed"
    assert "stopped unexpectedly" in final["error"]
    assert runs_of(app, job_id) == 1


def test_cancel_queued_job(mode_app, start_worker):
    client, headers = mode_app.test_client(), add_user(mode_app, "alice")
    job_id = submit(client, headers, steps=3, delay=0.05)  # no worker yet: stays queued
    response = client.delete(f"/api/v1/jobs/{job_id}", headers=headers)
    assert response.status_code == 200
    assert response.json["state"] == "cancelled"
    start_worker(mode_app)
    follow_up = submit(client, headers, steps=2, delay=0.05)
    wait_for(lambda: status(client, headers, follow_up)["finished"], what="follow-up job")
    assert status(client, headers, job_id)["state"] == "cancelled"
    assert runs_of(mode_app, job_id) == 0
    assert client.delete(f"/api/v1/jobs/{job_id}", headers=headers).status_code == 409


def test_cancel_running_job(mode_app, start_worker):
    client, headers = mode_app.test_client(), add_user(mode_app, "alice")
    start_worker(mode_app, concurrency=1)
    job_id = submit(client, headers, steps=100, delay=0.1)
    wait_for(lambda: status(client, headers, job_id)["state"] == "running", what="job to start")
    assert client.delete(f"/api/v1/jobs/{job_id}", headers=headers).json["state"] == "cancelled"
    # The single worker slot is freed: the next job runs to completion.
    follow_up = submit(client, headers, steps=2, delay=0.05)
    assert (
        wait_for(lambda: (b := status(client, headers, follow_up))["finished"] and b, what="follow-up job")["state"]
        == "succeeded"
    )
    body = status(client, headers, job_id)
    assert body["state"] == "cancelled" and body["progress"] < 1
    assert not (Path(mode_app.config["STORAGE_PATH"]) / "jobs" / job_id / "result.txt").exists()


def test_worker_health_reports_live_worker(mode_app, start_worker):
    client = mode_app.test_client()
    assert client.get("/api/v1/workers/health").status_code == 503
    worker = start_worker(mode_app)
    wait_for(lambda: client.get("/api/v1/workers/health").status_code == 200, what="worker heartbeat")
    worker.stop()
    wait_for(
        lambda: client.get("/api/v1/workers/health").status_code == 503, timeout=20, what="worker to be reported gone"
    )
