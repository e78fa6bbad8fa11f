"""Who is asking: Bearer tokens for the API, a per-session owner for browser pages."""

from flask import abort, current_app, g, request, session

from cortico.db.accounts import anonymous_jobs_in_flight, create_anonymous_user, session_user, user_for_token
from cortico.exceptions import TooManyJobsError
from cortico.web.errors import error_response

__all__ = ["bearer_token", "current_user_id", "owner_for_new_work", "require_token", "session_owner_id"]

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
    """Owner id of a browser session: the token's user, else the session's anonymous owner.

    The anonymous owner is created (with ``create``) only when the session first
    stores something; a cookie whose owner was deleted counts as no owner.
    """
    token = bearer_token()
    if token:
        with _db().session() as db_session:
            user = user_for_token(db_session, token)
            if user is None:
                abort(401)
            return user.id
    owner = _cookie_owner()
    if owner is None and create:
        owner = _new_anonymous_owner()
    return owner


def owner_for_new_work():
    """The session's owner about to store a job or a file, created if needed.

    Anonymous owners share two limits: unfinished jobs of all anonymous owners
    (``ANONYMOUS_MAX_JOBS_IN_FLIGHT``) and of those from the same client address
    (``ANONYMOUS_MAX_JOBS_PER_ADDRESS``), since every new browser session is a new owner.
    """
    if bearer_token():
        return session_owner_id()
    if not current_app.config["ALLOW_ANONYMOUS"]:
        abort(401)
    config = current_app.config
    with _db().session() as db_session:
        everyone = anonymous_jobs_in_flight(db_session)
        here = anonymous_jobs_in_flight(db_session, _client_address())
    if everyone >= int(config["ANONYMOUS_MAX_JOBS_IN_FLIGHT"]):
        raise TooManyJobsError(
            f"This server is running {everyone} jobs for visitors without an account (the limit is "
            f"{config['ANONYMOUS_MAX_JOBS_IN_FLIGHT']}); try again later or use an account's token."
        )
    if here >= int(config["ANONYMOUS_MAX_JOBS_PER_ADDRESS"]):
        raise TooManyJobsError(
            f"Your network address already has {here} unfinished jobs without an account (the limit is "
            f"{config['ANONYMOUS_MAX_JOBS_PER_ADDRESS']}); wait for some to finish or cancel them."
        )
    return session_owner_id()


def _client_address():
    return (request.remote_addr or "")[:64]


def _cookie_owner():
    """The verified anonymous owner of this browser's cookie, or None (stale keys are dropped)."""
    if "owner_id" not in session:
        return None
    if "cortico_owner" in g:
        return g.cortico_owner
    with _db().session() as db_session:
        user = session_user(db_session, session.get("owner_id"), session.get("owner_secret"))
        owner = user.id if user is not None else None
    if owner is None:
        session.pop("owner_id", None)
        session.pop("owner_secret", None)
    g.cortico_owner = owner
    return owner


def _new_anonymous_owner():
    if not current_app.config["ALLOW_ANONYMOUS"]:
        abort(401)
    with _db().session() as db_session:
        user = create_anonymous_user(db_session, _client_address())
        owner, secret = user.id, user.session_secret
    session["owner_id"], session["owner_secret"] = owner, secret
    session.permanent = True
    g.cortico_owner = owner
    return owner


def current_user_id():
    """The authenticated user of this API request (set by :func:`require_token`)."""
    return g.user_id
