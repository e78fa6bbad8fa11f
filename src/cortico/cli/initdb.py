"""``cortico initdb``: create or upgrade the database schema."""

import click

__all__ = ["initdb"]


@click.command()
@click.option(
    "--instance",
    type=click.Path(file_okay=False),
    default=None,
    help="Instance folder (default: $INSTANCE_PATH or ~/.local/share/cortico).",
)
def initdb(instance):
    """Create or upgrade the database schema (safe to run again)."""
    from cortico.db import upgrade_schema
    from cortico.settings import load_settings

    settings = load_settings(instance)
    upgrade_schema(settings["DATABASE_URL"])
    click.echo(f"database ready: {_redact(settings['DATABASE_URL'])}")


def _redact(url):
    """The URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
