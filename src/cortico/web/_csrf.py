"""CSRF protection of the browser pages (flask-wtf's CSRFProtect).

Forms posted by browsers carry a session-bound token (``csrf_token()`` in
templates), and must come from this site when the browser names their ``Origin``.
API routes (every flask-smorest blueprint, e.g. ``/api/v1`` and the image service)
are exempt: they authenticate with a Bearer token header, which a
cross-site form cannot send.
"""

from urllib.parse import urlsplit

from flask import current_app, render_template, request
from flask_smorest import Blueprint as ApiBlueprint
from flask_wtf.csrf import CSRFError, CSRFProtect

from cortico.web.errors import error_response

__all__ = ["csrf", "init_csrf"]

csrf = CSRFProtect()


def _check_origin():
    """A browser's ``Origin`` header, when sent, must be this site's own."""
    origin = request.headers.get("Origin")
    if origin is None:
        return  # older browsers and non-browser clients; the token still applies
    # Hosts are compared, not schemes: behind a TLS proxy without PROXY_FIX the app sees http.
    if urlsplit(origin).netloc != request.host:
        raise CSRFError(f"the form was sent from another site ({origin[:100]}), not from {request.host}")


def init_csrf(app):
    """Protect every POST/PUT/PATCH/DELETE of ``app`` that is not an API route."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid for the whole session
    csrf.init_app(app)

    @app.before_request
    def _protect_pages():
        if request.url_rule is None or not current_app.config.get("WTF_CSRF_ENABLED", True):
            return  # no such route: let it answer 404/405 (or CSRF switched off by the admin/tests)
        blueprint = current_app.blueprints.get(request.blueprint or "")
        if not isinstance(blueprint, ApiBlueprint):
            if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
                _check_origin()
            csrf.protect()

    @app.errorhandler(CSRFError)
    def _csrf_failed(exc):
        message = (
            "The form could not be accepted because its security token is missing or expired "
            f"({exc.description}). Reload the page and submit again."
        )
        if request.accept_mimetypes.best == "application/json":
            return error_response(400, message)
        return render_template("error.html", title="Form expired", message=message), 400
