"""`cortico serve` on a throw-away instance: health, a job end to end, clean stop."""

import os
import signal
import subprocess
import sys

import requests

from tests.conftest import REPO, answers_200, free_port, scaled, wait_for


def children_of(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_serve_runs_jobs_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = dict(
        os.environ,
        INSTANCE_PATH=str(tmp_path),
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        CORTICO_JOB_MODULES="tests.jobs.sleepy_kind",
    )
    token = subprocess.run(
        [sys.executable, "-m", "cortico", "token", "create", "x"], env=env, capture_output=True, text=True
    )
    assert "No user named 'x'" in token.stderr
    subprocess.run([sys.executable, "-m", "cortico", "user", "add", "x"], env=env, check=True)
    token = subprocess.run(
        [sys.executable, "-m", "cortico", "token", "create", "x"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    log = open(tmp_path / "serve.log", "wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "cortico", "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        # The wait ends at the readiness signal, or as soon as serve exits.
        wait_for(lambda: answers_200(f"{base}/health") or serve.poll() is not None, what="cortico serve")
        assert serve.poll() is None, (tmp_path / "serve.log").read_text()
        assert f"cortico is running at http://127.0.0.1:{port}/" in (tmp_path / "serve.log").read_text()
        headers = {"Authorization": f"Bearer {token}"}
        job = requests.post(
            f"{base}/api/v1/jobs/",
            json={"kind": "test.sleepy", "params": {"steps": 3, "delay": 0.1}},
            headers=headers,
            timeout=10,
        ).json()
        final = wait_for(
            lambda: (
                (b := requests.get(f"{base}{job['links']['self']}", headers=headers, timeout=5).json())["finished"]
                and b
            ),
            what="job to finish",
        )
        assert final["state"] == "succeeded" and final["result"]["steps"] == 3
        children = children_of(serve.pid)
        assert len(children) == 2  # gunicorn and the worker
    finally:
        serve.send_signal(signal.SIGTERM)
        code = serve.wait(timeout=scaled(30))
    assert code == 0
    log_text = (tmp_path / "serve.log").read_text()
    assert "GET /api/v1/jobs/" in log_text  # the access log is there...
    assert token not in log_text and token[4:] not in log_text  # ...without the token
    assert (tmp_path / "secret_key").read_text().strip() not in log_text

    def gone(pid):
        try:
            return open(f"/proc/{pid}/stat").read().split()[2] == "Z"
        except FileNotFoundError:
            return True

    wait_for(lambda: all(gone(pid) for pid in children), timeout=10, what="the web server and worker to exit")
