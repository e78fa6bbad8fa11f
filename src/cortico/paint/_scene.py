"""What to draw for an atlas, a surface kind and a view (geometry only, no colours).

Scenes depend on geometry alone, so they are cached per atlas object and reused
for every row of a table: the GL upload happens once, framing is identical.
"""

import weakref

import numpy as np

from cortico.paint._renderer import DrawItem

__all__ = ["Scene", "build_scene", "hemisphere_offsets"]

_HEMISPHERE_GAP_MM = 4.0
# Pial and white surfaces touch at the midline (fsaverage: ~2.7 mm); only surfaces
# that really overlap (inflated: ~80 mm) are moved apart.
_OVERLAP_TOLERANCE_MM = 10.0
# Glass brains always use the pial surface: subcortical structures live in its space
# (inflated or white surfaces would not enclose them).
_GLASS_SURFACE = "pial"
_scenes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class Scene:
    """Draw items plus the points that frame them.

    Attributes
    ----------
    items : list of DrawItem
    frame_points : ndarray, shape (n, 3)
    """

    def __init__(self, items):
        self.items = items
        points = [item.vertices + item.offset for item in items]
        self.frame_points = np.vstack(points) if points else np.zeros((1, 3), dtype=np.float32)
        self._cameras = {}

    def camera(self, view, aspect):
        """Camera for ``view`` at this image ``aspect`` (cached)."""
        from cortico.paint._views import frame_camera

        key = (view, round(aspect, 6))
        camera = self._cameras.get(key)
        if camera is None:
            camera = self._cameras[key] = frame_camera(view, self.frame_points, aspect)
        return camera


def hemisphere_offsets(atlas, surface):
    """Shifts along x that keep overlapping hemispheres apart (inflated surfaces).

    Returns
    -------
    dict
        ``hemi -> ndarray (3,)``; zero shifts when the hemispheres do not overlap.
    """
    offsets = {hemi: np.zeros(3, dtype=np.float32) for hemi in ("lh", "rh")}
    if set(atlas.hemis) == {"lh", "rh"}:
        left_max = float(atlas.surface(surface, "lh").vertices[:, 0].max())
        right_min = float(atlas.surface(surface, "rh").vertices[:, 0].min())
        if left_max - right_min > _OVERLAP_TOLERANCE_MM:
            overlap = left_max - right_min + _HEMISPHERE_GAP_MM
            offsets["lh"][0] = -overlap / 2
            offsets["rh"][0] = overlap / 2
    return offsets


def _cortex_item(atlas, surface, hemi, offset, glass):
    mesh = atlas.surface(surface, hemi)
    regions = np.full(mesh.n_vertices, -1, dtype=np.int32)
    if not glass and hemi in atlas.vertex_labels:  # atlases without cortical labels: all medial-wall grey
        regions = np.asarray(atlas.vertex_regions(hemi), dtype=np.int32)
    return DrawItem(
        key=("surface", id(atlas), surface, hemi, glass),
        vertices=mesh.vertices,
        faces=mesh.faces,
        normals=mesh.normals,
        regions=regions,
        offset=offset,
        glass=glass,
        owner=atlas,
    )


def _subcortical_items(atlas, hemis):
    items = []
    for region in atlas.regions:
        if region.kind != "subcortical" or (region.hemi is not None and region.hemi not in hemis):
            continue
        if region.key not in atlas.region_meshes:
            continue
        mesh = atlas.subcortical_mesh(region)
        items.append(
            DrawItem(
                key=("region", id(atlas), region.key),
                vertices=mesh.vertices,
                faces=mesh.faces,
                normals=mesh.normals,
                regions=np.full(mesh.n_vertices, region.index, dtype=np.int32),
                owner=atlas,
            )
        )
    return items


def build_scene(atlas, surface, view):
    """Geometry of ``view`` for ``atlas`` drawn on ``surface`` (cached).

    Parameters
    ----------
    atlas : cortico.atlases.Atlas
    surface : str
        Surface kind for cortical views.
    view : View

    Returns
    -------
    Scene
    """
    per_atlas = _scenes.setdefault(atlas, {})
    hemis = tuple(h for h in view.hemispheres if h in atlas.hemis)
    # structures do not need a cortical surface (imported volume atlases have none)
    key = (surface, tuple(view.hemispheres), view.content)
    scene = per_atlas.get(key)
    if scene is None:
        if view.content == "cortex":
            offsets = hemisphere_offsets(atlas, surface)
            items = [_cortex_item(atlas, surface, h, offsets[h], glass=False) for h in hemis]
        elif view.content == "glass":
            zero = np.zeros(3, dtype=np.float32)
            items = _subcortical_items(atlas, view.hemispheres)
            items += [_cortex_item(atlas, _GLASS_SURFACE, h, zero, glass=True) for h in hemis]
        else:
            items = _subcortical_items(atlas, view.hemispheres)
        scene = per_atlas[key] = Scene(items)
    return scene
