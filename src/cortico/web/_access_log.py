"""gunicorn access log without secrets: no query strings, no capability ids, no credentials.

Query strings may hold tokens, and the unguessable ids in paths are capabilities
(shared painting pages, ``/v0`` polling, Neuroglancer link keys): anyone reading
the log could use them. Path segments that look like such ids become ``<id>``.
"""

import re

from gunicorn.glogging import Logger

__all__ = ["RedactingLogger", "redact_url"]

# Job ids and link keys are 22 URL-safe characters, dispatch ids 32 hex digits; route
# words such as "depth-map-computation" are lower case without digits.
_CAPABILITY_SEGMENT = re.compile(r"(?<=/)(?=[a-z-]*[0-9A-Z_])[A-Za-z0-9_-]{16,}(?=/|$)")
_SECRET_ATOMS = ("authorization", "cookie", "query_string", "raw_uri", "request_uri", "referer", "path_info")


def redact_url(url):
    """``url`` (a path or an absolute URL) without its query string and with capability ids as ``<id>``."""
    if not url or url == "-":
        return url
    path, has_query, _ = url.partition("?")
    origin, sep, rest = path.partition("://")
    if sep:  # an absolute URL (Referer): keep scheme and host
        host, slash, tail = rest.partition("/")
        path = f"{origin}://{host}" + (_CAPABILITY_SEGMENT.sub("<id>", "/" + tail) if slash else "")
    else:
        path = _CAPABILITY_SEGMENT.sub("<id>", path)
    return path + ("?<redacted>" if has_query else "")


class RedactingLogger(Logger):
    """gunicorn's logger whose access-log atoms carry no token and no capability id."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = f"{environ['REQUEST_METHOD']} {redact_url(environ['RAW_URI'])} {environ['SERVER_PROTOCOL']}"
        atoms["U"] = redact_url(environ.get("PATH_INFO"))
        atoms["q"] = "<redacted>" if environ.get("QUERY_STRING") else ""
        atoms["f"] = redact_url(environ.get("HTTP_REFERER", "-"))
        for key in atoms:
            if key.startswith("{") and any(word in key for word in _SECRET_ATOMS):
                atoms[key] = "<redacted>"
        return atoms
