"""Schema creation and upgrades with Alembic (migrations ship inside the package)."""

from pathlib import Path

from alembic import command
from alembic.config import Config

__all__ = ["upgrade_schema"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade_schema(database_url):
    """Create or upgrade the schema at ``database_url`` to the newest revision."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["database_url"] = database_url
    command.upgrade(config, "head")
