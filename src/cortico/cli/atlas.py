"""``cortico atlas``: list, show, template and build the bundled atlases; import others."""

import click

from cortico.atlases import list_atlases, load_atlas, template_csv
from cortico.exceptions import CorticoError


def _fail(error):
    raise click.ClickException(error.message)


@click.group("atlas")
def atlas():
    """Bundled atlases: list them, show their regions, write CSV templates."""


def _counts(info):
    left, right = info.cortical_regions
    parts = []
    if left or right:
        parts.append(f"{left} cortical/hemisphere" if left == right else f"{left}+{right} cortical (lh+rh)")
    if info.subcortical_regions:
        parts.append(f"{info.subcortical_regions} subcortical")
    return ", ".join(parts)


@atlas.command("list")
@click.option("--brief", is_flag=True, help="One line per atlas: name and title only.")
def list_command(brief):
    """List the bundled atlases with their source, space, licence and region count."""
    for info in list_atlases():
        click.echo(f"{info.name:<15} {info.title}")
        if brief:
            continue
        click.echo(f"    regions: {_counts(info)}; space: {info.space}")
        click.echo(f"    source:  {info.source}")
        click.echo(f"    licence: {info.licence}")
        if info.aliases:
            click.echo(f"    aliases: {', '.join(info.aliases)}")


@atlas.command("show")
@click.argument("name")
def show_command(name):
    """Show the regions of atlas NAME (key, kind, colour)."""
    try:
        loaded = load_atlas(name)
    except CorticoError as error:
        _fail(error)
    click.echo(f"{loaded.name}: {loaded.title}")
    click.echo(loaded.description)
    for hemi, label in (("lh", "left"), ("rh", "right"), (None, "midline")):
        for kind in ("cortical", "subcortical"):
            count = len(loaded.regions_of(kind, hemi))
            if count:
                click.echo(f"  {count:>3} {kind} regions, {label}")
    for region in loaded.regions:
        colour = "#" + "".join(f"{round(c * 255):02x}" for c in region.color)
        click.echo(f"{region.index:>4}  {region.key:<40} {region.kind:<12} {colour}")


@atlas.command("build")
@click.argument("names", nargs=-1)
def build_command(names):
    """Build the mesh cache of atlases NAMES (default: all bundled atlases)."""
    from tqdm import tqdm

    names = names or [info.name for info in list_atlases()]
    try:
        atlases = [load_atlas(name) for name in names]
    except CorticoError as error:
        _fail(error)
    steps = [(a, kind, hemi) for a in atlases for kind in a.surface_kinds for hemi in a.hemis]
    steps += [(a, "labels", hemi) for a in atlases for hemi in a.hemis]
    steps += [(a, "mesh", region) for a in atlases for region in a.regions_of("subcortical")]
    with tqdm(total=len(steps), desc="atlas cache", unit="item", disable=None) as bar:
        for loaded, what, where in steps:
            if what == "labels":
                loaded.vertex_regions(where)
            elif what == "mesh":
                loaded.subcortical_mesh(where)
            else:
                loaded.surface(what, where)
            bar.update()
    click.echo(f"Cached {', '.join(a.name for a in atlases)}.")


@atlas.command("template")
@click.argument("name")
@click.option(
    "--schema",
    type=click.Choice(["v1", "v2"]),
    default="v2",
    show_default=True,
    help="v1: one column per region for both hemispheres; v2: Left-/Right- columns.",
)
def template_command(name, schema):
    """Print a ready-to-fill CSV template for atlas NAME.

    BrainPainter's own column lists for dk, destrieux, dkt and mouse; the atlas'
    region names for every other bundled atlas (yeo7, glasser, schaefer400...).
    """
    try:
        click.echo(template_csv(name, schema), nl=False)
    except CorticoError as error:
        _fail(error)
