"""`cortico serve` on a throw-away instance: health, a job end to end, clean stop."""

import os
import signal
import subprocess
import sys
import time

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
        CORTICO_HOME_EXAMPLES="false",
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


def _trickle(port, seconds, cut_after):
    """Send a request's headers one byte every 0.2 s; record when the server hangs up."""
    import socket

    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            while time.monotonic() - start < seconds:
                sock.sendall(b"X")
                time.sleep(0.2)
    except OSError:
        cut_after.append(time.monotonic() - start)


def test_slow_clients_do_not_take_health_down(tmp_path):
    import threading

    port = free_port()
    env = dict(
        os.environ,
        INSTANCE_PATH=str(tmp_path),
        PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        CORTICO_WEB_HEADER_TIMEOUT_SECONDS="3",
    )
    log = open(tmp_path / "serve.log", "wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "cortico", "serve", "--no-worker", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers_200(f"{base}/health"), timeout=60, what="cortico serve to answer")
        cut_after = []
        # more slow clients than the server has request threads (2 processes x 8)
        clients = [threading.Thread(target=_trickle, args=(port, 60, cut_after), daemon=True) for _ in range(24)]
        for client in clients:
            client.start()
        time.sleep(1)  # let them occupy the threads
        started = time.monotonic()
        response = requests.get(f"{base}/health", timeout=30)
        waited = time.monotonic() - started
        assert response.status_code == 200
        assert waited < 20, f"/health took {waited:.1f} s behind slow clients"
        for client in clients:
            client.join(timeout=30)
        assert len(cut_after) == 24 and max(cut_after) < 30, cut_after
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)
    assert "closing a connection that sent no complete headers within 3.0 s" in (tmp_path / "serve.log").read_text()
