"""``cortico atlas``: list, show, template and build the bundled atlases; import others."""

import click

from cortico.atlases import list_atlases, load_atlas, template_csv
from cortico.exceptions import CorticoError


def _fail(error):
    raise click.ClickException(error.message)


@click.group("atlas")
def atlas():
    """Atlases: list them, show their regions, write CSV templates, import your own."""


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
    groups = list(loaded.groups.items())
    for group, members in groups[:12]:
        click.echo(f"  column {group!r} paints: {', '.join(members)}")
    if len(groups) > 12:
        click.echo(f"  ... and {len(groups) - 12} more column aliases")
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
@click.option("--demo", is_flag=True, help="Fill two rows with demonstration values instead of one empty row.")
def template_command(name, schema, demo):
    """Print a ready-to-fill CSV template for atlas NAME.

    BrainPainter's own column lists for dk, destrieux, dkt and mouse; the atlas'
    region names for every other bundled atlas (yeo7, glasser, schaefer400...).
    """
    try:
        names = ("example-1", "example-2") if demo else ("image-1",)
        click.echo(template_csv(name, schema, image_names=names, demo=demo), nl=False)
    except CorticoError as error:
        _fail(error)


@atlas.command("import")
@click.argument("name")
@click.option("--user", "user_name", required=True, help="Owner of the atlas (see `cortico user add`).")
@click.option("--lh-labels", type=click.Path(exists=True, dir_okay=False), help="Left labels (.annot, .label.gii...).")
@click.option("--rh-labels", type=click.Path(exists=True, dir_okay=False), help="Right labels.")
@click.option(
    "--mesh",
    type=click.Choice(["fsaverage", "fsaverage6", "fsaverage5"]),
    default="fsaverage",
    show_default=True,
    help="Template mesh the label files belong to (one value per vertex).",
)
@click.option("--lh-surface", type=click.Path(exists=True, dir_okay=False), help="Own left surface instead of a mesh.")
@click.option("--rh-surface", type=click.Path(exists=True, dir_okay=False), help="Own right surface.")
@click.option(
    "--volume",
    type=click.Path(exists=True, dir_okay=False),
    help="A label volume (NIfTI, MGZ, NRRD; e.g. the Allen CCF annotation) instead of label files.",
)
@click.option("--table", type=click.Path(exists=True, dir_okay=False), help="Lookup table: CSV id,name[,r,g,b] or LUT.")
@click.option("--title", help="Display title (default: NAME).")
@click.option(
    "--instance",
    type=click.Path(file_okay=False),
    default=None,
    help="Instance folder (default: $INSTANCE_PATH or ~/.local/share/cortico).",
)
def import_command(name, user_name, lh_labels, rh_labels, mesh, lh_surface, rh_surface, volume, table, title, instance):
    """Import atlas NAME for a user, who then paints with the atlas `user:NAME`.

    Either label files on a template mesh (--lh-labels/--rh-labels, --mesh), label
    files on your own surfaces (add --lh-surface/--rh-surface), or a label volume
    with its table (--volume, --table): every label of a volume becomes a closed mesh.
    """
    from tqdm import tqdm

    from cortico.atlases import import_surface_atlas, import_template_atlas, import_volume_atlas

    labels = {hemi: path for hemi, path in (("lh", lh_labels), ("rh", rh_labels)) if path}
    surfaces = {hemi: path for hemi, path in (("lh", lh_surface), ("rh", rh_surface)) if path}
    if bool(volume) == bool(labels):
        raise click.UsageError("Give either --volume (with --table) or --lh-labels/--rh-labels.")
    try:
        owner = _user_id(user_name, instance)
        with tqdm(total=None, desc="importing", unit="step", disable=None) as bar:

            def progress(done, total):
                bar.total, bar.n = total, done
                bar.refresh()

            if volume:
                if not table:
                    raise click.UsageError("A label volume needs --table.")
                imported = import_volume_atlas(name, volume, table, title=title, progress=progress)
            elif surfaces:
                imported = import_surface_atlas(name, surfaces, labels, names_table=table, title=title)
            else:
                imported = import_template_atlas(
                    name, labels, mesh=mesh, names_table=table, title=title, progress=progress
                )
        atlas_id = _store(instance).save(str(owner), imported)
    except CorticoError as error:
        _fail(error)
    cortical = len(imported.regions_of("cortical"))
    click.echo(
        f"Imported {imported.name!r} for {user_name} (id {atlas_id}): {cortical} cortical and "
        f"{len(imported.regions) - cortical} subcortical regions; paint with --atlas 'user:{imported.name}' "
        "through the API or the painting page."
    )


def _user_id(user_name, instance):
    from sqlalchemy import select

    from cortico.db import Database, upgrade_schema
    from cortico.db.models import User
    from cortico.exceptions import NotFoundError
    from cortico.settings import load_settings

    url = load_settings(instance)["DATABASE_URL"]
    upgrade_schema(url)
    with Database(url).session() as session:
        user = session.execute(select(User).where(User.name == user_name)).scalar()
        if user is None:
            raise NotFoundError(f"No user named {user_name!r}; create it with `cortico user add {user_name}`.")
        return user.id


def _store(instance):
    from pathlib import Path

    from cortico.atlases import AtlasStore
    from cortico.settings import load_settings

    return AtlasStore(Path(load_settings(instance)["STORAGE_PATH"]) / "atlases")
