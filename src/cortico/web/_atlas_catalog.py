"""Atlases as the web shows them: listings, region columns, CSV templates.

A caller sees the bundled atlases and their own imported ones (named
``user:<name>`` in settings, stored with :class:`cortico.atlases.AtlasStore`).
"""

from cortico.atlases import column_name
from cortico.exceptions import NotFoundError
from cortico.paint import IMPORTED_PREFIX, load_paint_atlas, owner_atlases

__all__ = ["SCHEMAS", "atlas_entries", "atlas_entry", "atlas_regions", "atlas_summary", "template_text"]

SCHEMAS = ("v1", "v2")


def atlas_entries(store=None, owner=None):
    """Bundled atlases, then the owner's imported ones, as listing dicts."""
    from cortico.atlases import list_atlases

    entries = [
        {
            "name": info.name,
            "title": info.title,
            "aliases": list(info.aliases),
            "description": info.description,
            "imported": False,
        }
        for info in list_atlases()
    ]
    for stored in owner_atlases(store, owner):
        entries.append(
            {
                "name": IMPORTED_PREFIX + stored.name,
                "title": f"{stored.title} (imported)",
                "aliases": [],
                "description": "Imported by you.",
                "imported": True,
            }
        )
    return entries


def atlas_entry(name, store=None, owner=None):
    """The listing entry of atlas ``name`` (aliases accepted); NotFoundError otherwise."""
    atlas = load_paint_atlas(name, store, owner)
    text = str(name).strip()
    wanted = text if text.lower().startswith(IMPORTED_PREFIX) else atlas.name
    for entry in atlas_entries(store, owner):
        if entry["name"].lower() == wanted.lower():
            return entry
    raise NotFoundError(f"Unknown atlas {name!r}.")


def atlas_summary(entry, store=None, owner=None):
    """A listing entry with its region counts (bundled atlases: from the registry, nothing loaded)."""
    if not entry["imported"]:
        from cortico.atlases import list_atlases

        info = next((i for i in list_atlases() if i.name == entry["name"]), None)
        if info is not None:
            return dict(
                entry, cortical_regions=sum(info.cortical_regions), subcortical_regions=info.subcortical_regions
            )
    atlas = load_paint_atlas(entry["name"], store, owner)
    cortical = sum(1 for region in atlas.regions if region.kind == "cortical")
    return dict(entry, cortical_regions=cortical, subcortical_regions=len(atlas.regions) - cortical)


def atlas_regions(name, store=None, owner=None):
    """Every region of atlas ``name`` with its v2 column name and colour."""
    from matplotlib.colors import to_hex  # matplotlib: not at web start

    atlas = load_paint_atlas(name, store, owner)
    return [
        {
            "key": region.key,
            "name": region.name,
            "hemi": region.hemi,
            "kind": region.kind,
            "column": column_name(region.name, region.hemi),
            "color": to_hex(region.color),
        }
        for region in atlas.regions
    ]


def template_text(name, schema="v2", rows=1, store=None, owner=None, demo=False):
    """A ready-to-fill CSV for atlas ``name`` (with demonstration values if ``demo``).

    BrainPainter's own column lists for the atlases it had (dk, destrieux, dkt), the
    atlas' region names otherwise.
    """
    from cortico.atlases import template_csv

    atlas = load_paint_atlas(name, store, owner)
    names = tuple(f"image-{i}" for i in range(1, int(rows) + 1))
    if str(name).strip().lower().startswith(IMPORTED_PREFIX):
        return template_csv(atlas, schema, image_names=names, demo=demo)
    try:
        return template_csv(atlas.name, schema, image_names=names, demo=demo)
    except NotFoundError:
        return template_csv(atlas, schema, image_names=names, demo=demo)
