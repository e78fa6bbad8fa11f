"""Who is asking: Bearer tokens for the API, a per-session owner for browser pages."""

from flask import abort, current_app, g, request, session

from cortico.db.accounts import create_anonymous_user, user_for_token
from cortico.web.errors import error_response

__all__ = ["bearer_token", "current_user_id", "require_token", "session_owner_id"]

_MISSING = "Missing Bearer token Authorization header"


def bearer_token():
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _db():
    return current_app.extensions["cortico.db"]


def require_token():
    """``before_request`` hook for API blueprints: 401 unless a valid token is sent."""
    if request.method == "OPTIONS":
        return None
    token = bearer_token()
    if token is None:
        return error_response(401, _MISSING)
    with _db().session() as db_session:
        user = user_for_token(db_session, token)
        if user is None:
            return error_response(401, "Invalid or revoked API token.")
        g.user_id = user.id
    return None


def session_owner_id(create=True):
    """Owner id of a browser session: the token's user, else an anonymous per-session user."""
    token = bearer_token()
    if token:
        with _db().session() as db_session:
            user = user_for_token(db_session, token)
            if user is None:
                abort(401)
            return user.id
    owner = session.get("owner_id")
    if owner is None and create:
        if not current_app.config["ALLOW_ANONYMOUS"]:
            abort(401)
        with _db().session() as db_session:
            owner = create_anonymous_user(db_session).id
        session["owner_id"] = owner
        session.permanent = True
    return owner


def current_user_id():
    """The authenticated user of this API request (set by :func:`require_token`)."""
    return g.user_id
