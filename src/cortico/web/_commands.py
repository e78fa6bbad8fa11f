"""Commands of ``flask --app cortico ...`` (the seed's way of running them)."""

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


@click.command("initdb")
@with_appcontext
def initdb_command():
    """Create or upgrade the database schema."""
    from cortico.db import upgrade_schema  # alembic: only for this command

    url = current_app.config["DATABASE_URL"]
    upgrade_schema(url)
    click.echo(f"database ready: {make_url(url).render_as_string(hide_password=True)}")
