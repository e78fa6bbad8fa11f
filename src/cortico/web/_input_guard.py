"""Hostile input refused at the edge, before any route, parser or database sees it.

NUL characters (which PostgreSQL cannot store or even compare), JSON nested
deeper than any real request, and oversized JSON bodies answer 404/413/422 with a
plain message instead of failing deep inside (a ``RecursionError`` or a driver
error quoting SQL).
"""

import json
import re

import numpy as np
from flask import current_app, request

from cortico.exceptions import InputError
from cortico.web.errors import error_response

__all__ = ["MAX_JSON_DEPTH", "check_json_bytes", "check_json_value", "init_input_guard", "load_json_text"]

# Real bodies nest a few levels (landmark pairs: object > list > object > list).
MAX_JSON_DEPTH = 32
_NUL = "\x00"
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NESTING = np.zeros(256, dtype=np.int32)
_NESTING[[ord("["), ord("{")]], _NESTING[[ord("]"), ord("}")]] = 1, -1


def check_json_value(value, what="The JSON body"):
    """Refuse ``value`` nested deeper than :data:`MAX_JSON_DEPTH` or holding a NUL character.

    Walks without recursion, so any depth is safe to inspect.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise InputError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(key, str) and _NUL in key:
                    raise InputError(f"{what} has a key containing a NUL character.")
                stack.append((child, depth + 1))
        elif isinstance(item, str) and _NUL in item:
            raise InputError(f"{what} has a text containing a NUL character.")


def check_json_bytes(data, what="The JSON body"):
    """Refuse raw JSON ``data`` nested deeper than :data:`MAX_JSON_DEPTH` or holding a NUL.

    Works on the text without parsing it (a regular expression and numpy), so
    large bodies cost little and nothing deep reaches a recursive parser.
    """
    # Without its escaped backslashes, the text holds "\u0000" only where a string holds a NUL.
    if b"\x00" in data or b"\\u0000" in data.replace(b"\\\\", b""):
        raise InputError(f"{what} has a text containing a NUL character.")
    steps = _NESTING[np.frombuffer(_JSON_STRING.sub(b"", data), dtype=np.uint8)]
    if steps.size and int(np.cumsum(steps).max()) > MAX_JSON_DEPTH:
        raise InputError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.")


def load_json_text(text, what="The JSON body"):
    """Parse JSON ``text`` with bounded depth and no NUL characters; InputError otherwise."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise InputError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    except UnicodeDecodeError:
        raise InputError(f"{what} is not valid JSON: it is not UTF-8 text.") from None
    check_json_value(value, what)
    return value


def _refusal():
    for value in (request.view_args or {}).values():
        if isinstance(value, str) and _NUL in value:
            return error_response(404, "Not found: the address contains a NUL character.")
    for name, value in request.args.items(multi=True):
        if _NUL in name or _NUL in value:
            return error_response(422, f"The query parameter {name!r} contains a NUL character.")
    if request.is_json and request.method in ("POST", "PUT", "PATCH"):
        limit = int(current_app.config["MAX_JSON_BYTES"])
        if (request.content_length or 0) > limit:
            return error_response(413, f"The JSON body is larger than the limit of {limit} bytes.")
        data = request.get_data(cache=True)
        if len(data) > limit:
            return error_response(413, f"The JSON body is larger than the limit of {limit} bytes.")
        try:
            check_json_bytes(data)
        except InputError as exc:
            return error_response(422, exc.message)
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded") and not _is_api():
        # Page forms only (their CSRF check parses them anyway); API uploads stream to disk
        # unparsed here, and check their own names and fields.
        for name, value in request.form.items(multi=True):
            if _NUL in (name or "") or _NUL in (value or ""):
                return error_response(422, f"The form field {name!r} contains a NUL character.")
        for name, upload in request.files.items(multi=True):
            if _NUL in (upload.filename or ""):
                return error_response(422, f"The name of the file sent as {name!r} contains a NUL character.")
    return None


def _is_api():
    from flask_smorest import Blueprint as ApiBlueprint

    return isinstance(current_app.blueprints.get(request.blueprint or ""), ApiBlueprint)


def init_input_guard(app):
    """Check every request of ``app`` before its route runs."""

    @app.before_request
    def _guard_input():
        if request.url_rule is None:
            return None  # no such route: 404/405 as usual
        return _refusal()
