"""The registry of job kinds: one module per kind registers a :class:`JobKind`."""

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from cortico.exceptions import InputError

__all__ = ["JobKind", "register_kind", "get_kind", "job_kinds", "import_kind_modules"]

# Modules of the job kinds cortico ships; each registers its kind on import.
BUILTIN_KIND_MODULES = [
    "cortico.jobs.kinds.paint",
    "cortico.jobs.kinds.depth",
    "cortico.jobs.kinds.align",
    "cortico.jobs.kinds.image_prepare",
    "cortico.jobs.kinds.atlas_import",
]

_KINDS = {}


@dataclass(frozen=True)
class JobKind:
    """A kind of background job.

    Parameters
    ----------
    name : str
        Identifier stored in ``Job.kind`` (e.g. ``"paint"``).
    run : callable
        ``run(context, params) -> dict``: does the work through the domain core,
        reports progress on ``context`` and returns the JSON-able result.
    validate : callable, optional
        ``validate(params) -> params``: checks and normalises the parameters before
        the job is queued; raises :class:`~cortico.exceptions.InputError`.
    description : str
        One line for listings and the API documentation.
    """

    name: str
    run: Callable
    validate: Callable = field(default=lambda params: params)
    description: str = ""


def register_kind(kind):
    """Add ``kind`` to the registry (re-registering the same name replaces it)."""
    _KINDS[kind.name] = kind
    return kind


def get_kind(name):
    """Return the registered kind called ``name``; InputError listing the known ones otherwise."""
    try:
        return _KINDS[name]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise InputError(f"Unknown job kind {name!r}; known kinds: {known}.") from None


def job_kinds():
    """All registered kinds, sorted by name."""
    return [_KINDS[name] for name in sorted(_KINDS)]


def import_kind_modules(extra_modules=()):
    """Import the built-in kind modules and the configured ``JOB_MODULES``."""
    for module in [*BUILTIN_KIND_MODULES, *extra_modules]:
        importlib.import_module(module)
