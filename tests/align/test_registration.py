"""antsRegistration in a forked child: progress from its output, killable at any time."""

import os

import pytest

from cortico.align._registration import LevelTracker, run_forked
from cortico.exceptions import JobCancelled

VERBOSE_OUTPUT = """All_Command_lines_OK
  Shrink factors (level 1 out of 2): [2, 2, 2]
XXDIAGNOSTIC,Iteration,metricValue,convergenceValue,ITERATION_TIME_INDEX,SINCE_LAST
 1DIAGNOSTIC,     1, 3.0e-03, inf, 5.6e-02, 5.6e-02,
 1DIAGNOSTIC,     5, 2.9e-03, inf, 2.2e-01, 4.0e-02,
 1DIAGNOSTIC,    10, 2.9e-03, 1.8e-03, 4.2e-01, 4.0e-02,
XXDIAGNOSTIC,Iteration,metricValue,convergenceValue,ITERATION_TIME_INDEX,SINCE_LAST
 2DIAGNOSTIC,     1, 3.0e-03, inf, 5.6e-02, 5.6e-02,
 2DIAGNOSTIC,     5, 2.9e-03, inf, 2.2e-01, 4.0e-02,
"""


def test_levels_and_iterations_become_fractions_weighted_by_voxels():
    calls = []
    stage = {"convergence": "[10x10,1e-6,10]", "shrink_factors": "2x1"}
    tracker = LevelTracker(stage, (32, 32, 32), lambda fraction, message: calls.append((round(fraction, 4), message)))
    for line in VERBOSE_OUTPUT.splitlines():
        tracker.feed(line)
    # level 1 has 1/8 of level 2's voxels: 1/9 of the work
    assert calls == [
        (0.0, "0% (level 1 of 2, iteration 0 of 10)"),
        (0.0111, "1% (level 1 of 2, iteration 1 of 10)"),
        (0.0556, "6% (level 1 of 2, iteration 5 of 10)"),
        (0.1111, "11% (level 1 of 2, iteration 10 of 10)"),
        (0.1111, "11% (level 2 of 2, iteration 0 of 10)"),
        (0.2, "20% (level 2 of 2, iteration 1 of 10)"),
        (0.5556, "56% (level 2 of 2, iteration 5 of 10)"),
    ]


def _print_and_wait(arguments):
    import ctypes
    import time

    libc = ctypes.CDLL(None)
    for line in arguments:
        libc.puts(line.encode())
    time.sleep(60)
    return 0


def test_a_raising_callback_kills_the_child_at_once():
    seen = []

    def on_line(line):
        seen.append(line.strip())
        if line.strip() == "stop":
            raise JobCancelled("cancelled by its owner")

    with pytest.raises(JobCancelled):
        run_forked(_print_and_wait, ["go", "stop", "never read"], on_line)
    assert seen == ["go", "stop"]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


def test_status_of_the_child_is_returned():
    assert run_forked(lambda arguments: 0, [], lambda line: None) == 0
    assert run_forked(lambda arguments: 3, [], lambda line: None) == 1
    assert run_forked(_fail, [], lambda line: None) == 70


def _fail(arguments):
    raise RuntimeError("the child's exception never reaches the caller's code")
