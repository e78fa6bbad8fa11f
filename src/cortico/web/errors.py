"""The one place where domain errors become HTTP responses."""

import logging
from http import HTTPStatus

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from cortico.exceptions import (
    ConflictError,
    CorticoError,
    DependencyError,
    InputError,
    LimitExceededError,
    NotFoundError,
    Problem,
    QuotaExceededError,
    TooManyJobsError,
)

__all__ = [
    "STATUS_BY_ERROR",
    "cortico_error_response",
    "error_page",
    "error_response",
    "register_error_handlers",
    "status_for",
    "wants_page",
]

log = logging.getLogger(__name__)

# Most specific first.
STATUS_BY_ERROR = [
    (NotFoundError, 404),
    (ConflictError, 409),
    (TooManyJobsError, 429),
    (QuotaExceededError, 507),
    (LimitExceededError, 413),
    (InputError, 422),
    (DependencyError, 503),
    (CorticoError, 400),
]


def status_for(exc):
    """HTTP status for a :class:`CorticoError`."""
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 500


# Routes answered for programs (JSON errors); every other route is a page a person opens.
_API_PREFIXES = ("/api/", "/v0/", "/image-service/", "/openapi.json")


def wants_page():
    """Whether the current request is a browser page (HTML errors) rather than an API call (JSON)."""
    return not request.path.startswith(_API_PREFIXES)


def _page_sentence(status, message):
    """What a person reading an error page needs to know; API messages stay for API clients."""
    if status == 404 and "/jobs/" in request.path:
        days = int(current_app.config["RETENTION_SECONDS"]) // 86400
        return (
            "This link points to no job here: it never existed, its owner deleted it, or it expired "
            f"(results are kept {days} days after they are made)."
        )
    if status == 404:
        return "There is no page at this address."
    return message


def error_page(status, message):
    """The HTML error page: the site navigation, a title and one sentence."""
    title = f"{status} · {HTTPStatus(status).phrase}"
    return render_template("error.html", title=title, message=_page_sentence(status, message)), status


def error_response(status, message, problems=None):
    """The JSON error body of every API route: ``{code, status, message, errors, details}``.

    Parameters
    ----------
    status : int
    message : str
    problems : list of str or Problem, optional
        Every problem: ``errors`` lists their sentences, ``details`` each with its
        ``row``, ``column``, ``field`` and ``suggestions``.
    """
    body = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if problems:
        found = [p if isinstance(p, Problem) else Problem(str(p)) for p in problems]
        body["errors"] = [p.message for p in found]
        body["details"] = [p.to_dict() for p in found]
    response = jsonify(body)
    response.status_code = status
    return response


def cortico_error_response(exc):
    """The error body and status of a :class:`CorticoError`."""
    return error_response(status_for(exc), exc.message, exc.details)


def register_error_handlers(app, api):
    """Map CorticoError subclasses and HTTP errors to JSON (API) or HTML pages; never leak a traceback."""

    @app.errorhandler(CorticoError)
    def _cortico_error(exc):
        if wants_page():
            return error_page(status_for(exc), exc.message)
        return cortico_error_response(exc)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if wants_page() and exc.code and exc.code >= 400:
            return error_page(exc.code, exc.description or HTTPStatus(exc.code).phrase)
        return api.handle_http_exception(exc)

    @app.errorhandler(413)
    def _too_large(exc):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        message = f"The request is larger than the limit of {limit} bytes."
        return error_page(413, message) if wants_page() else error_response(413, message)

    @app.errorhandler(405)
    def _method_not_allowed(exc):
        allowed = sorted(exc.valid_methods or [])
        message = f"Method {request.method} is not allowed here; allowed: {', '.join(allowed)}."
        if wants_page():
            body, status = error_page(405, message)
            return body, status, {"Allow": ", ".join(allowed)}
        response = error_response(405, message)
        response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        log.exception("unhandled error")
        message = "Internal server error; the administrator can find details in the log."
        return error_page(500, message) if wants_page() else error_response(500, message)
