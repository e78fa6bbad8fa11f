"""``cortico user`` and ``cortico token``: accounts and API tokens."""

import click

from cortico.db import Database, accounts, upgrade_schema
from cortico.exceptions import CorticoError
from cortico.settings import load_settings

__all__ = ["user", "token"]

_instance = click.option(
    "--instance",
    type=click.Path(file_okay=False),
    default=None,
    help="Instance folder (default: $INSTANCE_PATH or ~/.local/share/cortico).",
)


def _database(instance):
    url = load_settings(instance)["DATABASE_URL"]
    upgrade_schema(url)  # idempotent: account commands work on a fresh instance
    return Database(url)


def _run(instance, action):
    try:
        with _database(instance).session() as session:
            return action(session)
    except CorticoError as exc:
        raise click.ClickException(exc.message) from None


@click.group()
def user():
    """Manage user accounts."""


@user.command("add")
@click.argument("name")
@_instance
def user_add(name, instance):
    """Create the user NAME."""
    _run(instance, lambda s: accounts.create_user(s, name))
    click.echo(f"user {name} created; give it a token with `cortico token create {name}`")


@click.group()
def token():
    """Manage API tokens (sent as `Authorization: Bearer <token>`)."""


@token.command("create")
@click.argument("name")
@click.option("--label", default="", help="A note to tell tokens apart, e.g. the machine using it.")
@_instance
def token_create(name, label, instance):
    """Create a token for user NAME and print it (it is shown only this once)."""
    plain = _run(instance, lambda s: accounts.create_token(s, name, label))
    click.echo(plain)


@token.command("list")
@click.argument("name")
@_instance
def token_list(name, instance):
    """List the tokens of user NAME (id, prefix, label, dates; never the token)."""

    def rows(session):
        return [
            (t.id, t.prefix, t.label, t.created_at, t.last_used_at, t.revoked_at)
            for t in accounts.list_tokens(session, name)
        ]

    for token_id, prefix, label, created, used, revoked in _run(instance, rows):
        status = f"revoked {revoked:%Y-%m-%d %H:%M}" if revoked else "active"
        last = f"{used:%Y-%m-%d %H:%M}" if used else "never"
        click.echo(f"{token_id}\t{prefix}…\t{status}\tcreated {created:%Y-%m-%d %H:%M}\tlast used {last}\t{label}")


@token.command("revoke")
@click.argument("name")
@click.argument("token_id")
@_instance
def token_revoke(name, token_id, instance):
    """Revoke token TOKEN_ID (its id or prefix from `cortico token list`) of user NAME."""
    _run(instance, lambda s: accounts.revoke_token(s, name, token_id))
    click.echo(f"token {token_id} of {name} revoked")
