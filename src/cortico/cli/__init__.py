"""The ``cortico`` command line.

One module per command; each module defines a Click command (or group). The
modules are imported only when their command runs, so that ``cortico --version``,
``cortico --help`` and the light commands start without numpy, the database or
the web app. Commands call the domain core or the adapters; they hold no logic.
"""

import importlib

import click

from cortico._version import __version__

__all__ = ["COMMANDS", "main"]

# name -> (module, attribute, one-line help shown by `cortico --help`), in --help order.
# The one-line help is the first line of the command's docstring
# (tests/cli/test_main.py checks that they agree).
COMMANDS = {
    "serve": ("cortico.cli.serve", "serve", "Start the web service and its job worker."),
    "worker": ("cortico.cli.worker", "worker", "Run a job worker (restarted automatically if it exits unexpectedly)."),
    "jobs": ("cortico.cli.jobs", "jobs", "Inspect and repair jobs: list them, send one again, or fail it."),
    "initdb": ("cortico.cli.initdb", "initdb", "Create or upgrade the database schema (safe to run again)."),
    "user": ("cortico.cli.users", "user", "Manage user accounts."),
    "token": ("cortico.cli.users", "token", "Manage API tokens (sent as `Authorization: Bearer <token>`)."),
    "atlas": (
        "cortico.cli.atlas",
        "atlas",
        "Atlases: list them, show their regions, write CSV templates, import your own.",
    ),
    "paint": (
        "cortico.cli.paint",
        "paint",
        "Paint each row of VALUES (a BrainPainter CSV) and write <view>_<image-name>.png files.",
    ),
    "depth": (
        "cortico.cli.depth",
        "depth",
        "Compute the equivolumetric cortical depth of SEGMENTATION (NIfTI or MGZ).",
    ),
    "align": ("cortico.cli.align", "align", "Align the INCOMING patch to the template through the depth maps."),
    "examples": (
        "cortico.cli.examples",
        "examples",
        "Paint example figures from demonstration tables (DK, Destrieux, subcortical).",
    ),
}


class _LazyGroup(click.Group):
    """A group that imports a sub-command's module only when that command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr, _summary = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing uses the stored one-line help instead of importing every command.
        rows = [(name, summary) for name, (_module, _attr, summary) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cortico")
def main() -> None:
    """cortico: brain painting and cortical patch alignment.

    Run `cortico serve` to start the web service, or use the commands below
    directly on files.
    """
