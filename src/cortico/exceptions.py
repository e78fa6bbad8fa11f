"""Errors raised by cortico.

Every error a user can cause is a :class:`CorticoError`; the web layer maps these
classes to HTTP status codes in one place (``cortico.web.errors``), the CLI prints
their message. They subclass the matching builtin so plain Python callers can
catch ``ValueError``/``LookupError`` as usual.
"""

__all__ = [
    "CorticoError",
    "InputError",
    "NotFoundError",
    "ConflictError",
    "LimitExceededError",
    "TooManyJobsError",
    "DependencyError",
    "JobCancelled",
]


class CorticoError(Exception):
    """Base class for errors whose message is meant for the user.

    Parameters
    ----------
    message : str
        What went wrong, in plain words (which file/row/column/label, what was
        expected).
    problems : list of str, optional
        Every individual problem when several were found at once.
    """

    def __init__(self, message, problems=None) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])


class InputError(CorticoError, ValueError):
    """The user's input (file, value, parameter) is malformed or inconsistent."""


class NotFoundError(CorticoError, LookupError):
    """A named object (atlas, region, image, job) does not exist for this user."""


class ConflictError(CorticoError):
    """The request conflicts with what is stored (e.g. the name is taken)."""


class LimitExceededError(CorticoError):
    """A configured size or count limit was exceeded."""


class TooManyJobsError(LimitExceededError):
    """The user already has the maximum number of unfinished jobs."""


class DependencyError(CorticoError, RuntimeError):
    """A system component (OpenGL, a data package) is missing; says what to install."""


class JobCancelled(CorticoError):
    """Raised inside a running job when its owner cancelled it."""
