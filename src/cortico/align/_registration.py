"""One antsRegistration run (antspyx's raw interface) in a forked child process.

antspyx holds the GIL for the whole call, so nothing in the calling process can
watch it. The run is forked instead: the child shares the images' memory (ANTs
pointer strings stay valid), writes antsRegistration's ``--verbose`` output to a
pipe that the parent reads line by line for the progress (level and iteration),
and can be killed at any moment (a raising progress callback, e.g. a cancelled
job, kills it) without touching the parent's locks. The child dies with the
parent (``PR_SET_PDEATHSIG``).
"""

import ctypes
import os
import re
import signal

import numpy as np

from cortico.align._fields import grid_points, sample
from cortico.align._presets import PRESETS, registration_arguments
from cortico.exceptions import DependencyError


def write_itk_affine(matrix, path):
    """Write a 4x4 LPS affine (point map) as an ITK ``AffineTransform`` file (.mat or .txt)."""
    import ants

    transform = ants.create_ants_transform(
        transform_type="AffineTransform",
        dimension=3,
        matrix=np.asarray(matrix[:3, :3], dtype=float),
        translation=np.asarray(matrix[:3, 3], dtype=float),
    )
    ants.write_transform(transform, path)


def run_syn(preset, fixed, moving, incoming_to_template_lps, work_dir, landmark_field_path=None, progress=None):
    """Run the SyN stage of a preset, initialised by the affine (and the landmark field).

    The affine is written as template -> incoming and passed inverted, as the
    cortical-voluba backend did, so that the ``voluba`` preset's argument list is
    the original one. The composite fixed -> moving point map of the outputs is
    ``x -> affine(landmarks(syn(x)))``.

    Parameters
    ----------
    preset : str
        Preset name.
    fixed, moving : ants.ANTsImage
        Incoming depth map, template depth map.
    incoming_to_template_lps : numpy.ndarray
        4x4 LPS affine.
    work_dir : str
        Private scratch folder for ANTs' files.
    landmark_field_path : str, optional
        ITK displacement field applied before the affine.
    progress : callable, optional
        ``progress(fraction, message)`` as the levels and iterations advance; an
        exception it raises kills the registration and propagates.

    Returns
    -------
    forward, inverse : numpy.ndarray
        The SyN displacement field and its inverse on the fixed grid (LPS mm).
    """
    import ants
    from ants.internal import get_lib_fn, get_pointer_string

    affine_path = os.path.join(work_dir, "template_to_incoming_affine.mat")
    write_itk_affine(np.linalg.inv(incoming_to_template_lps), affine_path)
    initial = [f"[{affine_path},1]"]
    if landmark_field_path is not None:
        # antsRegistration applies the last initial transform first.
        initial = [landmark_field_path] + initial
    prefix = os.path.join(work_dir, "cortical")
    arguments = registration_arguments(preset, get_pointer_string(fixed), get_pointer_string(moving), initial, prefix)
    tracker = LevelTracker(PRESETS[preset], fixed.shape, progress)
    status = run_forked(get_lib_fn("antsRegistration"), arguments + ["--verbose", "1"], tracker.feed)
    stage = 2 if landmark_field_path is not None else 1
    warp_path, inverse_path = f"{prefix}{stage}Warp.nii.gz", f"{prefix}{stage}InverseWarp.nii.gz"
    if status != 0 or not (os.path.exists(warp_path) and os.path.exists(inverse_path)):
        raise DependencyError(f"antsRegistration failed (exit status {status}); check the antspyx installation")
    return _on_grid(ants.image_read(warp_path), fixed), _on_grid(ants.image_read(inverse_path), fixed)


def _on_grid(field, reference):
    """A displacement field image as an array on ``reference``'s grid.

    A preset whose last level is shrunk writes its fields on that coarser grid; the
    fields are smooth, so trilinear interpolation brings them to the full grid.
    """
    values = field.numpy().astype(np.float32)
    if field.shape == reference.shape:
        return values
    return sample(values, field, grid_points(reference)).astype(np.float32)


_ITERATION = re.compile(r"^\s*\d*DIAGNOSTIC,\s*(\d+),")


class LevelTracker:
    """Turns antsRegistration's verbose lines into ``progress(fraction, message)`` calls.

    A level's share of the work is its iteration count times its voxel count
    (the grid shrinks by the cube of the shrink factor).
    """

    def __init__(self, stage, shape, progress=None):
        self.iterations = [int(n) for n in stage["convergence"].strip("[]").split(",")[0].split("x")]
        shrinks = [int(n) for n in stage["shrink_factors"].split("x")]
        voxels = [float(np.prod([max(1, n // f) for n in shape])) for f in shrinks]
        # A level with 0 iterations still costs a little (the field is carried to its grid).
        weights = [max(n, 1) * v for n, v in zip(self.iterations, voxels, strict=True)]
        total = sum(weights)
        self.shares = [w / total for w in weights]
        self.done_before = [sum(self.shares[:k]) for k in range(len(self.shares))]
        self.progress = progress
        self.level = 0
        self.last_reported = -1.0

    def feed(self, line):
        """Read one output line; report when the fraction moved by at least 1 %."""
        if "DIAGNOSTIC" in line and "Iteration" in line:  # the table header opens a level
            self.level = min(self.level + 1, len(self.iterations))
            self._report(0)
            return
        iteration = _ITERATION.match(line)
        if iteration and self.level:
            self._report(int(iteration.group(1)))

    def _report(self, iteration):
        if self.progress is None:
            return
        index = self.level - 1
        planned = self.iterations[index]
        within = min(iteration / planned, 1.0) if planned else 1.0
        fraction = self.done_before[index] + self.shares[index] * within
        if fraction - self.last_reported < 0.01 and iteration:
            return
        self.last_reported = fraction
        count = len(self.iterations)
        self.progress(fraction, f"{fraction:.0%} (level {self.level} of {count}, iteration {iteration} of {planned})")


def run_forked(function, arguments, on_line):
    """Call ``function(arguments)`` in a forked child, feeding its stdout lines to ``on_line``.

    Returns the function's status (non-zero if the child failed or died). If
    ``on_line`` raises, the child is killed and the exception propagates.
    """
    parent = os.getpid()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 70
        try:
            os.close(read_fd)
            _die_with(parent)
            os.dup2(write_fd, 1)
            _line_buffered_stdout()
            status = 0 if function(arguments) == 0 else 1
        finally:
            os._exit(status)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "r", errors="replace") as stream:
            for line in stream:
                on_line(line)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status)


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _die_with(parent):
    libc = _libc()
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(70)


def _line_buffered_stdout():
    libc = _libc()
    stdout = ctypes.c_void_p.in_dll(libc, "stdout")
    libc.setvbuf(stdout, None, 1, 0)  # _IOLBF: every line reaches the pipe as it is written
