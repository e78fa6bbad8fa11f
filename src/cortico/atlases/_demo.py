"""Demonstration values: a smooth, plausible pattern over an atlas' regions, for example tables."""

import numpy as np

from cortico.atlases._model import Atlas, Region


def _centre(atlas: Atlas, region: Region) -> np.ndarray:
    """The region's centre in fsaverage space (mm): mean of its white-surface vertices or mesh."""
    if region.kind == "cortical" and region.hemi is not None:
        kind = "white" if "white" in atlas.surface_kinds else atlas.surface_kinds[0]
        vertices = atlas.surface(kind, region.hemi).vertices[atlas.vertex_mask(region)]
    else:
        vertices = atlas.subcortical_mesh(region).vertices
    return vertices.mean(axis=0) if len(vertices) else np.zeros(3)


def demo_values(atlas: Atlas) -> dict[str, float]:
    """A demonstration value per region key, in the range of cortical thickness (about 1.5 to 3.5).

    The values vary smoothly from front to back and from top to bottom, with a small difference
    between the hemispheres, so that figures made from them show every colour of a colour map.
    """
    values = {}
    for region in atlas.regions:
        x, y, z = _centre(atlas, region)
        side = 0.08 if region.hemi == "rh" else 0.0
        values[region.key] = round(float(2.5 + 0.7 * np.sin(y / 35.0) + 0.3 * np.cos(z / 22.0) + side), 2)
    return values


def demo_cells(atlas: Atlas, columns: list[str]) -> list[float | None]:
    """Demonstration values for template ``columns`` (a v1 name gets the mean of both hemispheres;
    columns that name no region, such as ``unknown``, get None)."""
    values = demo_values(atlas)
    mapping = atlas.resolve(columns).mapping
    return [float(np.mean([values[r.key] for r in mapping[c]])) if mapping.get(c) else None for c in columns]
