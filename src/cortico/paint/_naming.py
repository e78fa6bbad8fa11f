"""Safe file names from user-chosen image names."""

import re
import unicodedata

__all__ = ["safe_name", "unique_safe_names"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_LENGTH = 80


def safe_name(text, fallback="image") -> str:
    """A file-name fragment made only of ASCII letters, digits, ``.``, ``_`` and ``-``.

    Parameters
    ----------
    text : str
        User text (an image name from the CSV).
    fallback : str
        Used when nothing safe is left.

    Returns
    -------
    str
        Never empty, never starting with ``.`` or ``-``, at most 80 characters.
    """
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("_", ascii_text).strip("._-")
    cleaned = re.sub(r"_{2,}", "_", cleaned)[:_MAX_LENGTH].rstrip("._-")
    return cleaned or fallback


def unique_safe_names(names):
    """:func:`safe_name` of each name, with ``-2``, ``-3``... added where two collide."""
    seen = {}
    result = []
    for index, name in enumerate(names, start=1):
        base = safe_name(name, fallback=f"row{index}")
        candidate, counter = base, 1
        while candidate.lower() in seen:
            counter += 1
            candidate = f"{base}-{counter}"
        seen[candidate.lower()] = True
        result.append(candidate)
    return result
