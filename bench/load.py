"""Load test: N concurrent users submit small painting jobs and poll their status.

Starts `cortico serve` (embedded mode) on a throw-away instance folder and a free
loopback port, creates one account per simulated user, then drives the service
from this (second) process with one thread per user. Every loop is bounded in
count and time. Prints job throughput and the latency distribution (p50/p95/p99)
of the status route, the route every browser and integrator polls.

Run: python bench/load.py [--users 8] [--jobs-per-user 3] [--max-seconds 300]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import requests

VALUES = {
    "row": {
        "Left-superiorfrontal": 2.7,
        "Right-superiorfrontal": 2.6,
        "Left-Hippocampus": 1.1,
        "Left-precentral": 0.5,
        "Right-precuneus": 1.9,
    }
}
SETTINGS = {
    "atlas": "dk",
    "surface": "pial",
    "views": ["cortical-outer-left-hemisphere"],
    "vmin": 0,
    "vmax": 3,
    "width": 320,
    "height": 240,
    "panel": False,
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cortico(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "cortico", *args], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


def _user(base, token, jobs, deadline, latencies, outcomes, lock):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    for _ in range(jobs):
        if time.monotonic() > deadline:
            return
        response = session.post(f"{base}/api/v1/paint/jobs", json={"values": VALUES, "settings": SETTINGS}, timeout=30)
        if response.status_code != 202:
            with lock:
                outcomes.append(f"submit {response.status_code}")
            continue
        url = base + response.json()["links"]["self"]
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status = session.get(url, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
            body = status.json()
            if body.get("finished"):
                with lock:
                    outcomes.append(body["state"])
                break
            time.sleep(0.2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--jobs-per-user", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as instance:
        env = dict(os.environ, INSTANCE_PATH=instance, CORTICO_MAX_JOBS_IN_FLIGHT="100")
        tokens = []
        for i in range(args.users):
            _cortico(env, "user", "add", f"user{i}")
            tokens.append(_cortico(env, "token", "create", f"user{i}"))
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "cortico", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    if requests.get(f"{base}/api/v1/workers/health", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.2)
            latencies, outcomes, lock = [], [], threading.Lock()
            deadline = time.monotonic() + args.max_seconds
            started = time.monotonic()
            threads = [
                threading.Thread(
                    target=_user, args=(base, token, args.jobs_per_user, deadline, latencies, outcomes, lock)
                )
                for token in tokens
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=60)

    done = outcomes.count("succeeded")
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    print(
        f"users {args.users}, jobs submitted {args.users * args.jobs_per_user}, outcomes "
        f"{ {o: outcomes.count(o) for o in sorted(set(outcomes))} }"
    )
    print(f"wall {wall:.1f} s, throughput {done / wall:.2f} jobs/s ({done / wall * 60:.1f} jobs/min)")
    print(
        f"status route: {len(latencies)} requests, p50 {pct(50):.1f} ms, p95 {pct(95):.1f} ms, "
        f"p99 {pct(99):.1f} ms, max {latencies[-1] * 1000 if latencies else float('nan'):.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000 if latencies else float('nan'):.1f} ms"
    )


if __name__ == "__main__":
    main()
