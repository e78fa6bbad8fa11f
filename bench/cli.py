"""Start-up time of the ``cortico`` command line and of ``cortico serve``.

Runs each command several times in fresh processes and prints the median wall and
CPU time next to its target (targets hold on an idle machine) and the ratio to a
bare ``python -c pass`` measured in the same run, which factors out the load of a
shared machine; the CPU time is close to the wall time an idle machine would
show. ``cortico serve`` is timed from the start of the process to the first 200
from ``/health``, on a fresh instance folder (schema created) and again on the
same folder, with the CPU time its process tree used by then.

    python bench/cli.py [--runs 7] [--serve-runs 3]
"""

import argparse
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

TARGETS = {  # command -> wall seconds on an idle machine (issue 11)
    "--version": 0.3,
    "--help": 0.3,
    "atlas list": 0.6,
}
SERVE_TARGET = 3.0


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_command(argv, runs):
    """Median (wall, cpu) seconds of ``argv`` over ``runs`` fresh processes."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu0, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t0)
        cpus.append(_children_cpu() - cpu0)
    return statistics.median(walls), statistics.median(cpus)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _tree_cpu(root):
    """CPU seconds used so far by process ``root`` and all its descendants (Linux /proc)."""
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, utime + stime
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, (ppid, _) in stats.items() if ppid in tree} - tree
        tree |= found
        grew = bool(found)
    return sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")


def time_serve(instance, limit=600.0):
    """(seconds, CPU seconds of serve and its children) from start to the first 200 from /health."""
    port = _free_port()
    env = dict(os.environ, INSTANCE_PATH=instance)
    t0 = time.perf_counter()
    serve = subprocess.Popen(
        [sys.executable, "-m", "cortico", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not _healthy(f"http://127.0.0.1:{port}/health"):
            if serve.poll() is not None or time.perf_counter() - t0 > limit:
                raise RuntimeError(f"cortico serve did not answer /health (exit code {serve.poll()})")
            time.sleep(0.02)
        return time.perf_counter() - t0, _tree_cpu(serve.pid)
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command (median reported)")
    parser.add_argument("--serve-runs", type=int, default=3, help="starts of `cortico serve` (0: skip)")
    args = parser.parse_args()

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.runs} runs each, medians")
    base_wall, base_cpu = time_command([sys.executable, "-c", "pass"], args.runs)
    print(f"{'python -c pass':<22} {base_wall:6.3f} s wall {base_cpu:6.3f} s CPU  (peer)")
    for command, target in TARGETS.items():
        wall, cpu = time_command([sys.executable, "-m", "cortico", *command.split()], args.runs)
        verdict = "ok" if wall <= target else "over"
        print(
            f"{'cortico ' + command:<22} {wall:6.3f} s wall {cpu:6.3f} s CPU  "
            f"{wall / base_wall:4.1f}x python start  target <= {target} s idle: {verdict}"
        )

    if args.serve_runs:
        fresh, again = [], []
        for _ in range(args.serve_runs):
            instance = tempfile.mkdtemp(prefix="cortico-bench-")
            try:
                fresh.append(time_serve(instance))
                again.append(time_serve(instance))
            finally:
                shutil.rmtree(instance, ignore_errors=True)
        for label, runs in (("fresh instance", fresh), ("existing instance", again)):
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            verdict = "ok" if wall <= SERVE_TARGET else "over"
            print(
                f"cortico serve -> /health, {label}: {wall:.2f} s wall, {cpu:.2f} s CPU of serve and its "
                f"children by then (runs {', '.join(f'{w:.2f}' for w, _ in runs)})  "
                f"target <= {SERVE_TARGET} s idle: {verdict}"
            )


if __name__ == "__main__":
    main()
