"""Faults: the broker restarting, the database busy, the service restarting mid-job.

Every job must end succeeded or failed with a message; nothing stays running.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import requests

from tests.conftest import REPO, add_user, answers_200, free_port, make_app, wait_for
from tests.jobs.test_jobs import status, submit


class PrivateRedis:
    """A Redis server of our own, so that restarting it disturbs no other test."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), timeout=20, what="private redis")

    def kill(self):
        self.process.kill()
        self.process.wait()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


def _pings(client):
    try:
        return client.ping()
    except Exception:
        return False


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.kill()


def test_redis_restart_during_a_job(instance, private_redis, start_worker):
    app = make_app(instance, BROKER_URL=private_redis.url)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)
    job_id = submit(client, headers, steps=25, delay=0.2)
    wait_for(lambda: status(client, headers, job_id)["progress"] > 0.1, what="job to run")
    private_redis.kill()
    time.sleep(1)
    # While the broker is down a new job is refused with a clear 503, not a 500 or a stuck job.
    refused = client.post("/api/v1/jobs/", json={"kind": "test.sleepy", "params": {"steps": 1}}, headers=headers)
    assert refused.status_code == 503
    assert "job queue is unreachable" in refused.json["message"]
    private_redis.start()
    final = wait_for(
        lambda: (b := status(client, headers, job_id))["finished"] and b,
        timeout=90,
        what="job to finish after the broker restart",
    )
    assert final["state"] == "succeeded"
    # The worker reconnected: new jobs run.
    after = submit(client, headers, steps=2, delay=0.05)
    assert (
        wait_for(lambda: (b := status(client, headers, after))["finished"] and b, timeout=90, what="job after restart")[
            "state"
        ]
        == "succeeded"
    )
    states = {job["state"] for job in client.get("/api/v1/jobs/", headers=headers).json}
    assert "running" not in states and "queued" not in states


def test_busy_sqlite_database_delays_but_does_not_fail_jobs(app, start_worker):
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)
    job_id = submit(client, headers, steps=12, delay=0.2)
    wait_for(lambda: status(client, headers, job_id)["state"] == "running", what="job to start")
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    locker = sqlite3.connect(path, timeout=30, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")
    released = threading.Timer(3.0, locker.rollback)
    released.start()
    released.join()
    locker.close()
    final = wait_for(lambda: (b := status(client, headers, job_id))["finished"] and b, timeout=90, what="job to finish")
    assert final["state"] == "succeeded"


def test_service_restart_during_a_job_resumes_it(tmp_path):
    env = dict(
        os.environ,
        INSTANCE_PATH=str(tmp_path),
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        CORTICO_JOB_MODULES="tests.jobs.sleepy_kind",
    )
    subprocess.run([sys.executable, "-m", "cortico", "user", "add", "x"], env=env, check=True, capture_output=True)
    token = subprocess.run(
        [sys.executable, "-m", "cortico", "token", "create", "x"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def serve():
        process = subprocess.Popen(
            [sys.executable, "-m", "cortico", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: answers_200(f"{base}/api/v1/workers/health"), timeout=60, what="service")
        return process

    def job_status(job_id):
        return requests.get(f"{base}/api/v1/jobs/{job_id}", headers=headers, timeout=5).json()

    first = serve()
    try:
        job_id = requests.post(
            f"{base}/api/v1/jobs/",
            json={"kind": "test.sleepy", "params": {"steps": 40, "delay": 0.2}},
            headers=headers,
            timeout=10,
        ).json()["id"]
        wait_for(lambda: job_status(job_id)["progress"] > 0.1, what="job to run")
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
    second = serve()
    try:
        final = wait_for(
            lambda: (b := job_status(job_id))["finished"] and b, timeout=120, what="job to finish after the restart"
        )
        assert final["state"] == "succeeded"
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
