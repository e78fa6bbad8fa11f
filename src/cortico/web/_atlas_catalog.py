"""Atlases as the web shows them: listings, region columns, CSV templates."""

from matplotlib.colors import to_hex

from cortico.exceptions import NotFoundError
from cortico.jobs.kinds._paint_inputs import load_paint_atlas

__all__ = ["SCHEMAS", "atlas_summary", "atlas_regions", "bundled_atlases", "template_text"]

SCHEMAS = ("v1", "v2")
_SIDE = {"lh": "Left-", "rh": "Right-"}


def bundled_atlases():
    """The bundled atlases' summaries (AtlasInfo), in display order."""
    from cortico.atlases import list_atlases

    return list_atlases()


def atlas_summary(info):
    """Counts and description of an atlas for listings (without template URLs)."""
    atlas = load_paint_atlas(info.name)
    cortical = sum(1 for region in atlas.regions if region.kind == "cortical")
    return {
        "name": info.name,
        "title": info.title,
        "aliases": list(info.aliases),
        "description": info.description,
        "cortical_regions": cortical,
        "subcortical_regions": len(atlas.regions) - cortical,
    }


def atlas_regions(name):
    """Every region of atlas ``name`` with its v2 column name and colour."""
    atlas = load_paint_atlas(name)
    return [{
        "key": region.key,
        "name": region.name,
        "hemi": region.hemi,
        "kind": region.kind,
        "column": _SIDE.get(region.hemi, "") + region.name,
        "color": to_hex(region.color),
    } for region in atlas.regions]


def template_text(name, schema="v2", rows=1):
    """A ready-to-fill CSV for atlas ``name``.

    BrainPainter's own column lists for the atlases it had (dk, destrieux, dkt), the
    atlas' region names otherwise.
    """
    from cortico.atlases import template_csv

    atlas = load_paint_atlas(name)
    names = tuple(f"image-{i}" for i in range(1, int(rows) + 1))
    try:
        return template_csv(atlas.name, schema, image_names=names)
    except NotFoundError:
        return template_csv(atlas, schema, image_names=names)
