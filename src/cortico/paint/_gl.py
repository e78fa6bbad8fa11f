"""One offscreen OpenGL context per process (moderngl on EGL).

Creating an EGL context can crash the interpreter outright when the system's
OpenGL libraries are missing or broken, so the first request probes it in a child
process and only then opens the context here. Failure becomes a
:class:`~cortico.exceptions.DependencyError` that says what to install.
"""

import os
import subprocess
import sys
import threading

from cortico.exceptions import DependencyError

__all__ = ["get_context", "INSTALL_HINT"]

INSTALL_HINT = (
    "cortico renders with OpenGL through EGL (Mesa's software renderer is enough). "
    "Install the system packages with: apt-get install libegl1 libgl1-mesa-dri"
)

_PROBE = "cortico.paint._gl_probe"
_FORKED = (
    "This process was forked from one that had already used OpenGL; Mesa cannot render "
    "after fork(). Start rendering processes with multiprocessing's 'spawn' or "
    "'forkserver' method, or fork them before the parent renders anything."
)
_lock = threading.Lock()
_context = None
_context_pid = None


def _probe_in_child():
    try:
        completed = subprocess.run(
            [sys.executable, "-m", _PROBE],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DependencyError(f"Could not start the OpenGL probe ({exc}). {INSTALL_HINT}") from exc
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout or "").strip().splitlines()
        last = detail[-1] if detail else f"exit code {completed.returncode}"
        raise DependencyError(f"No usable OpenGL (EGL) context: {last}. {INSTALL_HINT}")


def get_context():
    """Return the process-wide moderngl context, creating it on first use.

    Processes that render must not be forked from a process that already
    rendered (Mesa's rasteriser threads do not survive ``fork()``): such a child
    gets a :class:`~cortico.exceptions.DependencyError` instead of a hang.

    Returns
    -------
    moderngl.Context
        A standalone OpenGL 3.3+ context on EGL.

    Raises
    ------
    DependencyError
        If moderngl cannot create an EGL context on this machine.
    """
    global _context, _context_pid
    with _lock:
        if _context is not None and _context_pid != os.getpid():
            raise DependencyError(_FORKED)
        if _context is None:
            try:
                import moderngl
            except ImportError as exc:  # pragma: no cover - pinned dependency
                raise DependencyError(f"moderngl is not installed ({exc}).") from exc
            _probe_in_child()
            try:
                _context = moderngl.create_standalone_context(backend="egl")
                _context_pid = os.getpid()
            except Exception as exc:  # moderngl raises plain Exception subclasses
                raise DependencyError(f"No usable OpenGL (EGL) context: {exc}. {INSTALL_HINT}") from exc
        return _context
