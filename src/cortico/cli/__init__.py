"""The ``cortico`` command line.

One module per command; each module defines a Click command (or group) that is
registered here. Commands call the domain core or the adapters; they hold no logic.
"""

import importlib

import click

from cortico._version import __version__

# (module, attribute) of every sub-command, in --help order.
_COMMANDS = [
    ("cortico.cli.serve", "serve"),
    ("cortico.cli.worker", "worker"),
    ("cortico.cli.jobs", "jobs"),
    ("cortico.cli.initdb", "initdb"),
    ("cortico.cli.users", "user"),
    ("cortico.cli.users", "token"),
]

# Commands of the domain core are optional: a module that is not written yet is skipped.
_CORE_COMMANDS = [
    ("cortico.cli.atlas", "atlas"),
    ("cortico.cli.paint", "paint"),
    ("cortico.cli.depth", "depth"),
    ("cortico.cli.align", "align"),
    ("cortico.cli.examples", "examples"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cortico")
def main():
    """cortico: brain painting and cortical patch alignment.

    Run `cortico serve` to start the web service, or use the commands below
    directly on files.
    """


def _register():
    for module_name, attr in _COMMANDS + _CORE_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name and (module_name, attr) in _CORE_COMMANDS:
                continue
            raise
        main.add_command(getattr(module, attr))


_register()
