"""Shared fixtures: instance folders, apps, users, real workers, Redis and PostgreSQL."""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("CORTICO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
POSTGRES_ADMIN_URL = os.environ.get("CORTICO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# Waits end at their readiness signal; their timeouts are only upper bounds, written for an
# idle machine and multiplied by this factor, so that a run at a load of 10 on 2 cores (CI)
# does not fail on a deadline. Set CORTICO_TEST_TIME_SCALE=1 to find slow spots locally.
TIME_SCALE = float(os.environ.get("CORTICO_TEST_TIME_SCALE", "5"))


def scaled(seconds):
    """Upper bound ``seconds`` (sized for an idle machine) scaled for a loaded one."""
    return seconds * TIME_SCALE


# Example budgets of the property tests (hypothesis, schemathesis). Each test states its
# thorough budget; the "ci" profile, used by default and whenever CI is set, runs a share
# of it that still found every bug these tests found (measured, see docs/testing.md), so
# that the suite stays within 20 minutes on 2 cores. HYPOTHESIS_PROFILE=thorough runs all.
BUDGET_SHARE = {"ci": 0.25, "thorough": 1.0}
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "ci"
if HYPOTHESIS_PROFILE not in BUDGET_SHARE:
    raise pytest.UsageError(f"HYPOTHESIS_PROFILE={HYPOTHESIS_PROFILE!r}: choose one of {sorted(BUDGET_SHARE)}")
# No example database in CI: every run starts fresh, as on a new machine.
settings.register_profile("ci", deadline=None, print_blob=True, database=None)
settings.register_profile("thorough", deadline=None, print_blob=True)
settings.load_profile(HYPOTHESIS_PROFILE)


def examples(thorough):
    """The example budget of a property test whose thorough budget is ``thorough``."""
    return max(10, round(thorough * BUDGET_SHARE[HYPOTHESIS_PROFILE]))


def pytest_sessionfinish(session, exitstatus):
    # A run that collected nothing is a broken run: fail like one (never exit code 5).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# Fast heartbeats so that lost workers are detected within seconds in tests.
FAST_JOBS = {
    "JOB_MODULES": ["tests.jobs.sleepy_kind"],
    "JOB_HEARTBEAT_SECONDS": 0.5,
    "JOB_STALE_SECONDS": 3.0,
    "WORKER_CONCURRENCY": 2,
}


@pytest.fixture
def instance(tmp_path):
    folder = tmp_path / "instance"
    folder.mkdir()
    return folder


def make_app(instance, **overrides):
    from cortico.db import upgrade_schema
    from cortico.web import create_app

    app = create_app({"INSTANCE_PATH": str(instance), **FAST_JOBS, **overrides})
    app.config["TESTING"] = True
    upgrade_schema(app.config["DATABASE_URL"])
    return app


@pytest.fixture
def app(instance):
    app = make_app(instance)
    yield app
    app.extensions["cortico.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def add_user(app, name):
    """Create user ``name`` and return the Authorization header of a new token."""
    from cortico.db.accounts import create_token, create_user

    with app.extensions["cortico.db"].session() as session:
        create_user(session, name)
        token = create_token(session, name)
    return {"Authorization": f"Bearer {token}"}


def worker_env(app):
    """Environment for a worker process sharing ``app``'s configuration."""
    config = app.config
    env = dict(os.environ)
    env.update(
        {
            "INSTANCE_PATH": config["INSTANCE_PATH"],
            "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
            "CORTICO_DATABASE_URL": config["DATABASE_URL"],
            "CORTICO_STORAGE_PATH": config["STORAGE_PATH"],
            "CORTICO_JOB_MODULES": ",".join(config["JOB_MODULES"]),
            "CORTICO_JOB_HEARTBEAT_SECONDS": str(config["JOB_HEARTBEAT_SECONDS"]),
            "CORTICO_JOB_STALE_SECONDS": str(config["JOB_STALE_SECONDS"]),
            "CORTICO_JOB_MAX_ATTEMPTS": str(config["JOB_MAX_ATTEMPTS"]),
        }
    )
    env.pop("CORTICO_BROKER_URL", None)
    if config.get("BROKER_URL"):
        env["CORTICO_BROKER_URL"] = config["BROKER_URL"]
    return env


class WorkerProcess:
    """A real ``cortico worker`` in its own process group."""

    def __init__(self, app, concurrency=2):
        self.app = app
        self.log = Path(app.config["INSTANCE_PATH"]) / f"worker-{secrets.token_hex(3)}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cortico",
                "worker",
                "--concurrency",
                str(concurrency),
                "--name",
                f"test-{secrets.token_hex(4)}@%h",
            ],
            env=worker_env(app),
            stdout=open(self.log, "wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            if b" ready." in self.log.read_bytes():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"worker did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self):
        """SIGKILL the whole worker (main process and pool children)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_worker():
    workers = []

    def start(app, concurrency=2):
        worker = WorkerProcess(app, concurrency).wait_ready()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.kill()
        # Shown by pytest for failing tests only.
        print(f"--- {worker.log.name} ---\n{worker.log.read_text(errors='replace')[-4000:]}")


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_200(url):
    """Whether ``url`` answers 200 within 2 s (False while the server is not up)."""
    import requests

    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def wait_for(predicate, timeout=60, interval=0.1, what="condition"):
    """Poll ``predicate`` until it returns a true value (returned); ``timeout`` is scaled()."""
    deadline = time.monotonic() + scaled(timeout)
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} ({scaled(timeout):g} s)")


@pytest.fixture
def redis_url():
    """A dedicated Redis database, emptied before and after the test."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not running at {REDIS_URL} (start it; see .ci/run)")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@contextlib.contextmanager
def throwaway_postgres():
    """Create a PostgreSQL database, yield its URL, drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cortico_test_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url():
    """A throw-away PostgreSQL database, dropped after the test."""
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def app_on_each_database(request, instance):
    """An app on SQLite, then on PostgreSQL (for tests of input that only PostgreSQL refuses)."""
    overrides = {"DATABASE_URL": request.getfixturevalue("postgres_url")} if request.param == "postgresql" else {}
    app = make_app(instance, **overrides)
    yield app
    app.extensions["cortico.db"].dispose()
