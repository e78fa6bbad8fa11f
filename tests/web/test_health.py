"""Worker health tells a broker that is down and a worker that takes no work (issues 12.3, 13.1)."""

import os
import signal
import subprocess

from tests.conftest import add_user, make_app, wait_for
from tests.jobs.test_align_kinds import write_config
from tests.jobs.test_faults import private_redis  # noqa: F401  (fixture)
from tests.jobs.test_jobs import status, submit


def _health(client):
    response = client.get("/api/v1/workers/health")
    return response.status_code, response.json


def test_health_fails_while_the_broker_is_down(instance, private_redis, start_worker):  # noqa: F811
    app = make_app(instance, BROKER_URL=private_redis.url)
    client = app.test_client()
    start_worker(app)
    code, body = wait_for(lambda: (h := _health(client))[0] == 200 and h, what="healthy worker")
    assert body["broker"] == "redis" and body["waiting_messages"] == 0 and body["workers"] == 1
    private_redis.kill()
    code, body = _health(client)
    assert code == 503
    assert "job queue is unreachable" in body["message"] and "submissions fail" in body["message"]
    private_redis.start()
    wait_for(lambda: _health(client)[0] == 200, timeout=60, what="health after the broker is back")


def _pool_processes(supervisor_pid):
    """The Celery pool processes under a ``cortico worker`` (supervisor -> celery main -> pool)."""
    out = subprocess.run(["ps", "-e", "-o", "pid=,ppid="], capture_output=True, text=True).stdout
    children = {}
    for child, parent in (map(int, line.split()) for line in out.splitlines()):
        children.setdefault(parent, []).append(child)
    celery_main = children[supervisor_pid]
    return [pid for main in celery_main for pid in children.get(main, [])]


def test_health_fails_when_a_queued_job_waits_beside_an_idle_worker(instance, start_worker):
    write_config(instance, WORKER_PICKUP_SECONDS=3.0)
    app = make_app(instance)
    client, headers = app.test_client(), add_user(app, "alice")
    worker = start_worker(app, concurrency=1)
    wait_for(lambda: _health(client)[0] == 200, what="healthy worker")
    # A wedged pool: the worker's main process still beats, but nothing runs.
    pool = _pool_processes(worker.process.pid)
    assert pool
    for pid in pool:
        os.kill(pid, signal.SIGSTOP)
    try:
        job_id = submit(client, headers, steps=1, delay=0.01)
        code, body = wait_for(lambda: (h := _health(client))[0] == 503 and h, timeout=60, what="health to fail")
        assert "takes no work" in body["message"] and "queued job has waited" in body["message"]
        assert status(client, headers, job_id)["state"] == "queued"
    finally:
        for pid in pool:
            os.kill(pid, signal.SIGCONT)
    wait_for(lambda: status(client, headers, job_id)["finished"], what="job after the pool resumed")
    wait_for(lambda: _health(client)[0] == 200, what="health after the pool resumed")
