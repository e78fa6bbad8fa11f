"""Render one view of a painted atlas to an RGBA array."""

import numpy as np

from cortico.exceptions import InputError
from cortico.paint._colors import parse_color
from cortico.paint._renderer import get_renderer
from cortico.paint._scene import build_scene
from cortico.paint._views import get_view

__all__ = ["render_view", "region_color_table"]

DEFAULT_NODATA_COLOR = (0.62, 0.62, 0.62)
DEFAULT_MEDIAL_WALL_COLOR = (0.5, 0.5, 0.5)


def region_color_table(atlas, region_colors, nodata_color=DEFAULT_NODATA_COLOR) -> np.ndarray:
    """Colours of all regions of ``atlas`` as an (n, 3) array.

    Parameters
    ----------
    atlas : cortico.atlases.Atlas
    region_colors : ndarray of shape (n_regions, 3) or dict
        Either one RGB row per ``atlas.regions`` entry (NaN rows = no data), or a
        mapping from region key (``"lh.superiorfrontal"``) to a colour.
    nodata_color : colour
        Used for regions without a colour.

    Returns
    -------
    ndarray, shape (n_regions, 3), float
    """
    nodata = np.asarray(parse_color(nodata_color, "nodata_color"))
    table = np.tile(nodata, (len(atlas.regions), 1))
    if isinstance(region_colors, dict):
        unknown = []
        for key, color in region_colors.items():
            try:
                region = atlas.region(key)
            except LookupError:
                unknown.append(str(key))
                continue
            table[region.index] = parse_color(color, f"Colour of region {key!r}")
        if unknown:
            raise InputError(
                f"Atlas {atlas.name!r} has no region(s) {', '.join(sorted(unknown))}.",
                problems=[f"unknown region {key!r}" for key in sorted(unknown)],
            )
        return table
    colors = np.asarray(region_colors, dtype=np.float64)
    if colors.shape != (len(atlas.regions), 3):
        raise InputError(
            f"region_colors must have one RGB row per region of atlas {atlas.name!r}: "
            f"expected shape ({len(atlas.regions)}, 3), got {colors.shape}."
        )
    missing = np.isnan(colors).any(axis=1)
    table[~missing] = np.clip(colors[~missing], 0.0, 1.0)
    return table


def _unpremultiply(premultiplied):
    rgb = premultiplied[..., :3].astype(np.float32)
    alpha = premultiplied[..., 3:4].astype(np.float32)
    out = premultiplied.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        straight = np.where(alpha > 0, rgb * 255.0 / np.maximum(alpha, 1.0), 0.0)
    out[..., :3] = np.clip(np.rint(straight), 0, 255)
    return out


def render_view(
    atlas,
    surface,
    region_colors,
    view,
    size=(1200, 900),
    background="white",
    nodata_color=DEFAULT_NODATA_COLOR,
    medial_wall_color=DEFAULT_MEDIAL_WALL_COLOR,
    antialias="fxaa",
) -> np.ndarray:
    """Render one view of ``atlas`` with regions painted in ``region_colors``.

    Parameters
    ----------
    atlas : cortico.atlases.Atlas
    surface : {"pial", "white", "inflated", "midthickness"}
        Cortical surface to draw (glass-brain views always use the pial surface).
    region_colors : ndarray of shape (n_regions, 3) or dict
        See :func:`region_color_table`.
    view : str or View
        A view name, a ``camera:...`` spec or a :class:`View`.
    size : (int, int)
        Width and height in pixels (each at most 4096).
    background : colour or "transparent"
        Transparent backgrounds have alpha 0 outside the brain.
    nodata_color, medial_wall_color : colour
    antialias : {"fxaa", "msaa", "none"}
        One FXAA pass (default), 4x multisampling (finest silhouettes, about
        twice the CPU time on a software rasteriser) or none (thumbnails).

    Returns
    -------
    ndarray, shape (height, width, 4), uint8
        Straight (not premultiplied) RGBA.
    """
    view = get_view(view)
    if background != "transparent":
        parse_color(background, "background")
    table = region_color_table(atlas, region_colors, nodata_color)
    colors = np.vstack([parse_color(medial_wall_color, "medial_wall_color"), table])
    scene = build_scene(atlas, surface, view)
    if not scene.items:
        raise InputError(
            f"View {view.name!r} shows subcortical structures, but atlas {atlas.name!r} has none "
            f"for hemisphere(s) {', '.join(view.hemispheres)}."
        )
    width, height = (int(v) for v in size)
    renderer = get_renderer()
    camera = scene.camera(view, width / height)
    if background == "transparent":
        premultiplied = renderer.render(scene.items, camera, (width, height), colors, antialias=antialias)
        return _unpremultiply(premultiplied)
    return renderer.render(
        scene.items,
        camera,
        (width, height),
        colors,
        antialias=antialias,
        background=parse_color(background),
    )
