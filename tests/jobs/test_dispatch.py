"""No job lost with the broker, none disturbed by another worker, none spent by a stop (issue 12, items 3 and 8)."""

import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import REPO, WorkerProcess, add_user, make_app, wait_for, worker_env
from tests.jobs.test_align_kinds import write_config
from tests.jobs.test_jobs import runs_of, status, submit


def _final(client, headers, job_id, timeout=120):
    return wait_for(
        lambda: (b := status(client, headers, job_id))["finished"] and b, timeout=timeout, what=f"job {job_id}"
    )


def _row(app, job_id):
    from cortico.db import Job

    with app.extensions["cortico.db"].session() as session:
        return session.get(Job, job_id)


def test_jobs_queued_when_redis_is_flushed_are_sent_again(instance, redis_url, postgres_url, start_worker):
    import redis

    write_config(instance, JOB_REQUEUE_SECONDS=1.0)
    app = make_app(instance, BROKER_URL=redis_url, DATABASE_URL=postgres_url)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app, concurrency=1)
    first = submit(client, headers, steps=15, delay=0.2)
    wait_for(lambda: status(client, headers, first)["state"] == "running", what="first job to run")
    waiting = [submit(client, headers, steps=1, delay=0.01) for _ in range(3)]
    redis.Redis.from_url(redis_url).flushdb()  # the broker loses every message
    for job_id in [first, *waiting]:
        assert _final(client, headers, job_id)["state"] == "succeeded"
        assert runs_of(app, job_id) == 1
    # the broker's binding was declared again: a job submitted now runs too
    assert _final(client, headers, submit(client, headers, steps=1, delay=0.01))["state"] == "succeeded"


def test_job_stored_but_never_sent_is_sent_by_the_reconciler(instance, start_worker):
    """A web process that died between the row insert and send_task (embedded mode)."""
    from sqlalchemy import select

    from cortico.db import Job, User

    write_config(instance, JOB_REQUEUE_SECONDS=1.0)
    app = make_app(instance)
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app)
    with app.extensions["cortico.db"].session() as session:
        owner = session.execute(select(User.id).where(User.name == "alice")).scalar()
        job = Job(kind="test.sleepy", owner_id=owner, params={"steps": 1, "delay": 0.01, "fail_at": None})
        job.dispatch_id = "0" * 32
        session.add(job)
        session.flush()
        job_id = job.id
    assert _final(client, headers, job_id)["state"] == "succeeded"
    assert _row(app, job_id).dispatch_id != "0" * 32 and runs_of(app, job_id) == 1


def test_starting_a_second_worker_leaves_running_jobs_alone(app, start_worker):
    client, headers = app.test_client(), add_user(app, "alice")
    start_worker(app, concurrency=1)
    job_id = submit(client, headers, steps=20, delay=0.25)
    wait_for(lambda: status(client, headers, job_id)["progress"] > 0.1, what="job to run")
    start_worker(app, concurrency=1)  # a second embedded worker on the same instance
    final = _final(client, headers, job_id)
    assert final["state"] == "succeeded", final
    assert runs_of(app, job_id) == 1
    assert _row(app, job_id).attempts == 1


def _start_cortico_worker(app, log):
    return subprocess.Popen(
        [sys.executable, "-m", "cortico", "worker", "--concurrency", "1", "--name", f"stop-{os.urandom(3).hex()}@%h"],
        env=worker_env(app),
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=str(REPO),
    )


@pytest.mark.parametrize("grace, outcome", [(60, "finished"), (1, "handed back")])
def test_sigterm_lets_the_job_finish_or_hands_it_back_without_an_attempt(instance, grace, outcome):
    write_config(instance, JOB_STOP_GRACE_SECONDS=float(grace))
    app = make_app(instance)
    client, headers = app.test_client(), add_user(app, "alice")
    log = instance / "stopping-worker.log"
    process = _start_cortico_worker(app, log)
    try:
        wait_for(lambda: b" ready." in log.read_bytes(), timeout=90, what="worker to start")
        job_id = submit(client, headers, steps=24, delay=0.25)
        wait_for(lambda: status(client, headers, job_id)["progress"] > 0.05, what="job to run")
        process.send_signal(signal.SIGTERM)  # what `systemctl stop` / Ctrl-C send to `cortico worker`
        assert process.wait(timeout=grace + 60) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    row = _row(app, job_id)
    if outcome == "finished":
        assert row.state == "succeeded" and row.attempts == 1
        return
    assert row.state == "queued" and row.attempts == 0, f"{row.state} {row.attempts}\n{log.read_text()[-1500:]}"
    assert "its worker was stopped" in row.progress_message
    worker = WorkerProcess(app, concurrency=1).wait_ready()
    try:
        final = _final(client, headers, job_id)
    finally:
        worker.kill()
    assert final["state"] == "succeeded"
    assert _row(app, job_id).attempts == 1
