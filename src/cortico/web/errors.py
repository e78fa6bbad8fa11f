"""The one place where domain errors become HTTP responses."""

import logging

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from cortico.exceptions import (
    ConflictError,
    CorticoError,
    DependencyError,
    InputError,
    LimitExceededError,
    NotFoundError,
    QuotaExceededError,
    TooManyJobsError,
)

__all__ = ["STATUS_BY_ERROR", "error_response", "register_error_handlers"]

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


def error_response(status, message, problems=None):
    """JSON error body shared by every API route: ``{code, status, message, errors}``."""
    from http import HTTPStatus

    body = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if problems:
        body["errors"] = list(problems)
    response = jsonify(body)
    response.status_code = status
    return response


def register_error_handlers(app):
    """Map CorticoError subclasses and HTTP errors to JSON; never leak a traceback."""

    @app.errorhandler(CorticoError)
    def _cortico_error(exc):
        return error_response(status_for(exc), exc.message, exc.problems)

    @app.errorhandler(413)
    def _too_large(exc):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return error_response(413, f"The request is larger than the limit of {limit} bytes.")

    @app.errorhandler(405)
    def _method_not_allowed(exc):
        allowed = sorted(exc.valid_methods or [])
        response = error_response(405, f"Method {request.method} is not allowed here; allowed: {', '.join(allowed)}.")
        response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, HTTPException):
            return exc
        log.exception("unhandled error")
        return error_response(500, "Internal server error; the administrator can find details in the log.")
