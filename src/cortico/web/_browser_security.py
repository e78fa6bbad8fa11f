"""Browser-facing hardening: framing and sniffing headers, the session cookie's flags.

Pages may be framed only by this site (``X-Frame-Options`` and CSP
``frame-ancestors``), responses are never content-sniffed, and the session cookie is
``SameSite=Lax``, and ``Secure`` whenever the request came over HTTPS (directly or,
with ``PROXY_FIX``, through a proxy) or ``SESSION_COOKIE_SECURE`` is set.
"""

from flask import request
from flask.sessions import SecureCookieSessionInterface

__all__ = ["init_browser_security"]

_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # capability URLs must not leak to other sites
}


class _SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_browser_security(app):
    """Add the headers to every response of ``app`` and harden its session cookie."""
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.session_interface = _SessionInterface()

    @app.after_request
    def _headers(response):
        for name, value in _HEADERS.items():
            response.headers.setdefault(name, value)
        return response
