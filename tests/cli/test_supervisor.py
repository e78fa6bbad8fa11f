"""The supervisor of `cortico serve`: restarts what dies, runs one-shot children once, stops all."""

import signal
import sys
import threading
import time

from cortico.cli._supervisor import Child, supervise


def test_once_child_runs_to_its_end_and_is_not_restarted(tmp_path):
    marker = tmp_path / "runs"
    once = Child(
        "one-shot",
        [sys.executable, "-c", f"open({str(marker)!r}, 'a').write('x')"],
        env=None,
        once=True,
    )
    restarted = Child("restarted", [sys.executable, "-c", "pass"], env=None)
    timer = threading.Timer(2.5, lambda: signal.raise_signal(signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    assert supervise([once, restarted]) == 0
    timer.join()
    assert time.monotonic() - started < 15
    assert marker.read_text() == "x"  # ran once, never again
    assert once.process.returncode == 0
    assert restarted.restarts >= 1  # an ordinary child that exits is restarted
