"""Users and API tokens (tokens are shown once and stored as SHA-256 hashes)."""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from sqlalchemy import func, select

from cortico.db.models import Job, JobState, Token, User, utcnow
from cortico.exceptions import ConflictError, InputError, NotFoundError

__all__ = [
    "create_user",
    "create_token",
    "user_for_token",
    "revoke_token",
    "list_tokens",
    "create_anonymous_user",
    "session_user",
    "anonymous_jobs_in_flight",
    "TOKEN_PREFIX",
]

TOKEN_PREFIX = "ctk_"
_LAST_USED_RESOLUTION = timedelta(minutes=1)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(session, name):
    """Create the user ``name`` (letters, digits, ``._@-``; at most 64 characters)."""
    if not _NAME.match(name or ""):
        raise InputError(
            f"Invalid user name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit."
        )
    if session.execute(select(User).where(User.name == name)).scalar():
        raise ConflictError(f"A user named {name!r} already exists.")
    user = User(name=name)
    session.add(user)
    session.flush()
    return user


def create_anonymous_user(session, client_address=None):
    """A per-browser-session owner for users without an account.

    Its random ``session_secret`` goes into the browser's cookie: the session is
    valid only while this row exists with that secret (see :func:`session_user`).
    """
    user = User(
        name=f"anonymous-{secrets.token_hex(8)}",
        anonymous=True,
        session_secret=secrets.token_urlsafe(32),
        client_address=(client_address or "")[:64] or None,
    )
    session.add(user)
    session.flush()
    return user


def session_user(session, user_id, secret):
    """The user of a browser session holding ``(user_id, secret)``, or None if it is gone."""
    if not isinstance(user_id, int) or not isinstance(secret, str) or not secret:
        return None
    user = session.get(User, user_id)
    if user is None or not user.session_secret or not hmac.compare_digest(user.session_secret, secret):
        return None
    return user


def anonymous_jobs_in_flight(session, client_address=None):
    """Queued and running jobs of all anonymous owners (of one client address if given)."""
    condition = User.anonymous.is_(True)
    if client_address is not None:
        condition = condition & (User.client_address == client_address)
    return session.execute(
        select(func.count())
        .select_from(Job)
        .join(User, Job.owner_id == User.id)
        .where(condition, Job.state.in_([JobState.QUEUED.value, JobState.RUNNING.value]))
    ).scalar()


def _get_user(session, name):
    user = session.execute(select(User).where(User.name == name)).scalar()
    if user is None:
        raise NotFoundError(f"No user named {name!r}; create it with `cortico user add {name}`.")
    return user


def create_token(session, user_name, label=""):
    """Create an API token for ``user_name``; returns the plain token (shown once)."""
    user = _get_user(session, user_name)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(Token(user_id=user.id, token_hash=_hash(plain), prefix=plain[:12], label=label[:64]))
    session.flush()
    return plain


def user_for_token(session, plain):
    """The user owning the valid, unrevoked token ``plain``, or None."""
    if not plain or len(plain) > 256:
        return None
    token = session.execute(select(Token).where(Token.token_hash == _hash(plain))).scalar()
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_RESOLUTION:
        token.last_used_at = now  # written at most once a minute: no write per API request
    return token.user


def list_tokens(session, user_name):
    """The tokens of ``user_name`` (no secrets: prefix, label, dates)."""
    user = _get_user(session, user_name)
    return list(session.execute(select(Token).where(Token.user_id == user.id).order_by(Token.id)).scalars())


def revoke_token(session, user_name, prefix_or_id):
    """Revoke the token of ``user_name`` given by its id or its shown prefix."""
    for token in list_tokens(session, user_name):
        if str(token.id) == str(prefix_or_id) or token.prefix == prefix_or_id:
            if token.revoked_at is None:
                token.revoked_at = utcnow()
            return token
    raise NotFoundError(f"User {user_name!r} has no token {prefix_or_id!r}; see `cortico token list {user_name}`.")
