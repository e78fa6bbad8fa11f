"""Users and API tokens (tokens are shown once and stored as SHA-256 hashes)."""

import hashlib
import re
import secrets

from sqlalchemy import select

from cortico.db.models import Token, User, utcnow
from cortico.exceptions import ConflictError, InputError, NotFoundError

__all__ = [
    "create_user",
    "create_token",
    "user_for_token",
    "revoke_token",
    "list_tokens",
    "create_anonymous_user",
    "TOKEN_PREFIX",
]

TOKEN_PREFIX = "ctk_"
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


def create_anonymous_user(session):
    """A per-browser-session owner for users without an account."""
    user = User(name=f"anonymous-{secrets.token_hex(8)}", anonymous=True)
    session.add(user)
    session.flush()
    return user


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
    token.last_used_at = utcnow()
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
