"""The supervisor of `cortico serve`/`worker`: ordered start, restart, one-shot children, clean stop."""

import os
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


def _python(code):
    return [sys.executable, "-c", code]


def _stop_when(predicate, timeout=300):
    """SIGTERM this process (ending ``supervise``) once ``predicate`` holds."""

    def watch():
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def test_a_child_with_start_when_starts_only_after_its_condition(tmp_path):
    ready, second = tmp_path / "first-ready", tmp_path / "second-started"
    first_code = f"import pathlib, time; time.sleep(0.5); pathlib.Path({str(ready)!r}).touch(); time.sleep(600)"
    second_code = (
        f"import pathlib, time; pathlib.Path({str(second)!r}).write_text(str(pathlib.Path({str(ready)!r}).exists()));"
        " time.sleep(600)"
    )
    asked = []

    def first_is_ready():
        asked.append(ready.exists())
        return ready.exists()

    children = [
        Child("first", _python(first_code), dict(os.environ), essential=True),
        Child("second", _python(second_code), dict(os.environ), start_when=first_is_ready),
    ]
    _stop_when(second.exists)
    assert supervise(children) == 0
    assert second.read_text() == "True"  # the second started after the first was ready
    assert asked[0] is False and asked[-1] is True
    assert all(c.process.poll() is not None for c in children)


def test_a_child_that_exits_is_restarted_without_waiting_for_start_when_again(tmp_path):
    runs = tmp_path / "runs"
    code = f"import pathlib; p = pathlib.Path({str(runs)!r}); p.write_text(p.read_text() + 'x' if p.exists() else 'x')"
    calls = []

    def once():
        calls.append(1)
        return len(calls) == 1

    child = Child("flaky", _python(code), dict(os.environ), start_when=once)
    _stop_when(lambda: runs.exists() and runs.read_text() == "xx")
    assert supervise([child]) == 0
    assert runs.read_text().startswith("xx") and child.restarts >= 1 and len(calls) == 1
