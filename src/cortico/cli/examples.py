"""``cortico examples``: paint the home page's example figures (also started by `cortico serve`)."""

from pathlib import Path

import click

__all__ = ["examples"]


@click.command()
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the figures (default: <instance>/examples, where the home page looks).",
)
@click.option("--if-missing", is_flag=True, help="Do nothing when the folder already has a complete set.")
def examples(out, if_missing):
    """Paint example figures from demonstration tables (DK, Destrieux, subcortical)."""
    from cortico.paint._examples import read_examples, render_examples

    if out is None:
        from cortico.settings import load_settings

        out = Path(load_settings(None)["INSTANCE_PATH"]) / "examples"
    if if_missing and read_examples(out):
        click.echo(f"The example figures in {out} are there already.")
        return
    entries = render_examples(out)
    click.echo(f"{len(entries)} example figures in {out}.")
