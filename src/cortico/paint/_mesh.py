"""The painted brain of one row as a compact binary mesh for the browser's 3D view.

Geometry is decimated once per (atlas, surface) with quadric decimation
(fast-simplification) and kept in memory; every decimated vertex keeps the region of
an original vertex that collapsed into it, so a row is painted by a lookup, never by
re-decimating. Subcortical structures come along as separate parts.

Binary layout (little endian)::

    uint32 header length H, H bytes of JSON (padded with spaces to a multiple of 4),
    float32 positions (V x 3), uint32 indices (F x 3), uint8 colours (V x 3)

The JSON header lists ``parts`` (name, kind, vertex/index offsets and counts), the
totals and the bounding box.
"""

import json
import struct
from dataclasses import dataclass

import numpy as np

from cortico.paint._colors import parse_color
from cortico.paint._render import region_color_table

__all__ = ["PreviewGeometry", "painted_mesh_bytes", "preview_geometry", "preview_mesh"]

_CORTEX_FACES = 40000  # per hemisphere
_SUBCORTICAL_KEEP = 0.5
_GAP_MM = 4.0
_GEOMETRY = {}  # (id(atlas), surface) -> (atlas, PreviewGeometry); atlases are cached per process


@dataclass(frozen=True)
class _Part:
    name: str
    kind: str  # "cortex" or "subcortical"
    vertices: np.ndarray  # float32 (n, 3)
    faces: np.ndarray  # uint32 (m, 3)
    regions: np.ndarray  # int32 (n,), -1 = medial wall


@dataclass(frozen=True)
class PreviewGeometry:
    """Decimated parts of an atlas on one surface."""

    parts: tuple

    @property
    def bounds(self):
        points = np.vstack([part.vertices for part in self.parts])
        return points.min(axis=0), points.max(axis=0)


def _decimate(vertices, faces, target_faces):
    import fast_simplification

    if len(faces) <= target_faces:
        return np.asarray(vertices, np.float32), np.asarray(faces, np.uint32), np.arange(len(vertices))
    points = np.array(vertices, dtype=np.float64)
    triangles = np.array(faces, dtype=np.int32)  # a writable copy: the atlas' arrays are read-only
    _, _, collapses = fast_simplification.simplify(
        points, triangles, target_reduction=1.0 - target_faces / len(faces), return_collapses=True
    )
    reduced, reduced_faces, mapping = fast_simplification.replay_simplification(points, triangles, collapses)
    return reduced.astype(np.float32), reduced_faces.astype(np.uint32), mapping


def _inflated_offsets(atlas, surface):
    """Shift hemispheres apart along x where their surfaces overlap (inflated)."""
    offsets = {hemi: np.zeros(3, dtype=np.float32) for hemi in atlas.hemis}
    if set(atlas.hemis) == {"lh", "rh"}:
        overlap = (
            float(atlas.surface(surface, "lh").vertices[:, 0].max())
            - float(atlas.surface(surface, "rh").vertices[:, 0].min())
            + _GAP_MM
        )
        if overlap > _GAP_MM:
            offsets["lh"][0], offsets["rh"][0] = -overlap / 2, overlap / 2
    return offsets


def preview_geometry(atlas, surface) -> PreviewGeometry:
    """Decimated cortex (both hemispheres) and subcortical meshes of an atlas (cached).

    Parameters
    ----------
    atlas : cortico.atlases.Atlas
    surface : str
        Cortical surface kind.

    Returns
    -------
    PreviewGeometry
    """
    key = (id(atlas), surface)
    cached = _GEOMETRY.get(key)
    if cached is None or cached[0] is not atlas:
        cached = _GEOMETRY[key] = (atlas, _build_geometry(atlas, surface))
        while len(_GEOMETRY) > 6:
            _GEOMETRY.pop(next(iter(_GEOMETRY)))
    return cached[1]


def _build_geometry(atlas, surface):
    parts = []
    has_cortex = any(region.kind == "cortical" for region in atlas.regions)
    if has_cortex:
        offsets = _inflated_offsets(atlas, surface)
        for hemi in atlas.hemis:
            mesh = atlas.surface(surface, hemi)
            vertices, faces, mapping = _decimate(mesh.vertices, mesh.faces, _CORTEX_FACES)
            regions = np.full(len(vertices), -1, dtype=np.int32)
            regions[mapping] = atlas.vertex_regions(hemi)
            parts.append(_Part(f"cortex-{hemi}", "cortex", vertices + offsets[hemi], faces, regions))
    for region in atlas.regions:
        if region.kind != "subcortical" or region.key not in atlas.region_meshes:
            continue
        mesh = atlas.subcortical_mesh(region)
        vertices, faces, _ = _decimate(mesh.vertices, mesh.faces, max(200, int(mesh.n_faces * _SUBCORTICAL_KEEP)))
        parts.append(
            _Part(region.key, "subcortical", vertices, faces, np.full(len(vertices), region.index, dtype=np.int32))
        )
    return PreviewGeometry(tuple(parts))


def painted_mesh_bytes(geometry, atlas, region_colors, nodata_color, medial_wall_color, title="") -> bytes:
    """Encode ``geometry`` painted with ``region_colors`` (see module docstring).

    Parameters
    ----------
    geometry : PreviewGeometry
    atlas : cortico.atlases.Atlas
    region_colors : ndarray, shape (n_regions, 3)
        RGB in 0..1 per region (NaN = no data).
    nodata_color, medial_wall_color : colour
    title : str
        Shown by the viewer.

    Returns
    -------
    bytes
    """
    table = region_color_table(atlas, region_colors, nodata_color)
    lookup = np.vstack([parse_color(medial_wall_color, "medial_wall_color"), table])
    lookup = np.clip(np.rint(lookup * 255), 0, 255).astype(np.uint8)
    positions, indices, colors, parts = [], [], [], []
    vertex_offset = index_offset = 0
    for part in geometry.parts:
        positions.append(part.vertices.astype("<f4"))
        indices.append((part.faces + vertex_offset).astype("<u4"))
        colors.append(lookup[part.regions + 1])
        parts.append(
            {
                "name": part.name,
                "kind": part.kind,
                "vertex_offset": vertex_offset,
                "vertex_count": len(part.vertices),
                "index_offset": index_offset,
                "index_count": part.faces.size,
            }
        )
        vertex_offset += len(part.vertices)
        index_offset += part.faces.size
    low, high = geometry.bounds
    header = json.dumps(
        {
            "title": title,
            "vertex_count": vertex_offset,
            "index_count": index_offset,
            "parts": parts,
            "bounds": [low.tolist(), high.tolist()],
        }
    ).encode("utf-8")
    header += b" " * (-len(header) % 4)
    body = [np.concatenate(positions).tobytes(), np.concatenate(indices).tobytes(), np.concatenate(colors).tobytes()]
    return struct.pack("<I", len(header)) + header + b"".join(body)


def preview_mesh(request, row_index: int) -> bytes:
    """The painted, decimated mesh of one row of a checked request (for the 3D view).

    Parameters
    ----------
    request : PaintRequest
        A request without problems (e.g. :meth:`PaintRequest.load` of a job).
    row_index : int
        Position of the row in the table.

    Returns
    -------
    bytes
        See the module docstring for the layout.
    """
    settings, table, atlas = request.settings, request.table, request.atlas
    row = table.rows[row_index]
    scale = settings.color_scale(table.matrix())
    return painted_mesh_bytes(
        preview_geometry(atlas, settings.surface),
        atlas,
        scale(row.values),
        parse_color(settings.nodata_color),
        parse_color(settings.medial_wall_color),
        title=row.name,
    )
