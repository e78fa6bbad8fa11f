"""Errors raised by cortico.

Every error a user can cause is a :class:`CorticoError`; the web layer maps these
classes to HTTP status codes in one place (``cortico.web.errors``), the CLI prints
their message. They subclass the matching builtin so plain Python callers can
catch ``ValueError``/``LookupError`` as usual.
"""

from dataclasses import dataclass

__all__ = [
    "Problem",
    "CorticoError",
    "InputError",
    "NotFoundError",
    "ConflictError",
    "LimitExceededError",
    "TooManyJobsError",
    "QuotaExceededError",
    "DependencyError",
    "JobCancelled",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input, in plain words, with where it is.

    Attributes
    ----------
    message : str
        The whole sentence shown to the user (row and column included).
    row : int or None
        Spreadsheet row of a table (the header is row 1).
    column : str or None
        Column name as written in the table.
    field : str or None
        The input concerned: a setting name (``"vmin"``, ``"views"``...) or ``"table"``.
    suggestions : tuple of str
        Closest known names, best first.
    limit : bool
        True when a configured limit was exceeded (HTTP 413 when every problem is one).
    """

    message: str
    row: int | None = None
    column: str | None = None
    field: str | None = None
    suggestions: tuple[str, ...] = ()
    limit: bool = False

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict:
        """JSON-able form (the ``details`` entries of an API error body)."""
        return {
            "message": self.message,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "suggestions": list(self.suggestions),
        }


def located(text: str, row: int | None = None, column: str | None = None) -> str:
    """``"Row 3, column 'x': text."``: a problem sentence that says where it is."""
    where = ([f"row {row}"] if row is not None else []) + ([f"column {column!r}"] if column is not None else [])
    sentence = ", ".join(where) + ": " + text if where else text
    return sentence[:1].upper() + sentence[1:].rstrip(".") + "."


class CorticoError(Exception):
    """Base class for errors whose message is meant for the user.

    Parameters
    ----------
    message : str
        What went wrong, in plain words (which file/row/column/label, what was
        expected).
    problems : list of str or Problem, optional
        Every individual problem when several were found at once.

    Attributes
    ----------
    problems : list of str
        The sentence of every problem.
    details : list of Problem
        Every problem with where it is (plain strings become a Problem without a place).
    """

    def __init__(self, message, problems=None) -> None:
        super().__init__(message)
        self.message = message
        self.details = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems or ()]
        self.problems = [p.message for p in self.details]


class InputError(CorticoError, ValueError):
    """The user's input (file, value, parameter) is malformed or inconsistent."""


class NotFoundError(CorticoError, LookupError):
    """A named object (atlas, region, image, job) does not exist for this user."""


class ConflictError(CorticoError):
    """The request conflicts with what is stored (e.g. the name is taken)."""


class LimitExceededError(CorticoError):
    """A configured size or count limit was exceeded."""


class QuotaExceededError(LimitExceededError):
    """The user's storage quota (bytes or count of stored volumes) would be exceeded."""


class TooManyJobsError(LimitExceededError):
    """The user already has the maximum number of unfinished jobs."""


class DependencyError(CorticoError, RuntimeError):
    """A system component (OpenGL, a data package) is missing; says what to install."""


class JobCancelled(CorticoError):
    """Raised inside a running job when its owner cancelled it."""
