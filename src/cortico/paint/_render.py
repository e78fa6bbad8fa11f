"""Render one view of a painted atlas to an RGBA array."""

import numpy as np

from cortico.exceptions import InputError, Problem
from cortico.paint._colors import parse_color
from cortico.paint._renderer import get_renderer
from cortico.paint._scene import build_scene
from cortico.paint._views import get_view

__all__ = ["render_view", "region_color_table", "view_shows_atlas", "default_views", "check_views"]

# Three unpainted kinds of surface, each its own grey, all shaded by folding
# (light on gyri, dark in sulci): the medial wall (not cortex), regions the table
# has no column for (no data), and empty/NaN cells (missing value).
DEFAULT_NODATA_COLOR = (0.75, 0.75, 0.75)
DEFAULT_MEDIAL_WALL_COLOR = (0.55, 0.55, 0.55)
DEFAULT_MISSING_COLOR = (0.76, 0.80, 0.86)


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


def _lookup_table(atlas, region_colors, nodata_color, medial_wall_color, missing_color, nodata_regions):
    """(n_regions + 1, 4) rows for the renderer: medial wall first; alpha 0 = unpainted."""
    table = region_color_table(atlas, region_colors, nodata_color)
    if isinstance(region_colors, dict):
        keys = {atlas.region(key).index for key in region_colors}
        unpainted = np.array([region.index not in keys for region in atlas.regions], dtype=bool)
    else:
        unpainted = np.isnan(np.asarray(region_colors, dtype=np.float64)).any(axis=1)
        if nodata_regions is not None:
            without_column = np.zeros(len(atlas.regions), dtype=bool)
            for key in nodata_regions:
                without_column[atlas.region(key).index] = True
            table[unpainted & ~without_column] = parse_color(missing_color, "missing_color")
    rows = np.ones((len(atlas.regions) + 1, 4))
    rows[0, :3] = parse_color(medial_wall_color, "medial_wall_color")
    rows[0, 3] = 0.0
    rows[1:, :3] = table
    rows[1:, 3] = np.where(unpainted, 0.0, 1.0)
    return rows


def view_shows_atlas(atlas, view):
    """True when ``view`` draws at least one region of ``atlas``.

    Cortical views need cortical regions on one of their hemispheres; glass and
    subcortical views need a structure mesh (of their hemispheres or the midline).
    """
    view = get_view(view)
    if view.content == "cortex":
        return any(region.kind == "cortical" and region.hemi in view.hemispheres for region in atlas.regions)
    return any(
        region.kind == "subcortical"
        and (region.hemi is None or region.hemi in view.hemispheres)
        and region.key in atlas.region_meshes
        for region in atlas.regions
    )


def default_views(atlas):
    """The BrainPainter views that show something of ``atlas`` (cortical ones first).

    An atlas with cortical regions gets the four lateral/medial views; one with
    only structures (``aseg``) gets the subcortical views.
    """
    from cortico.paint._views import BRAINPAINTER_VIEWS

    cortical = [view.name for view in BRAINPAINTER_VIEWS[:4] if view_shows_atlas(atlas, view)]
    if cortical:
        return tuple(cortical)
    return tuple(view.name for view in BRAINPAINTER_VIEWS if view.content != "cortex" and view_shows_atlas(atlas, view))


def check_views(atlas, views):
    """Refuse views that would show nothing of ``atlas``, naming the views that would."""
    views = [get_view(view) for view in views]
    empty = [view.name for view in views if not view_shows_atlas(atlas, view)]
    if empty:
        from cortico.paint._views import NAMED_VIEWS

        useful = [name for name, view in NAMED_VIEWS.items() if view_shows_atlas(atlas, view)]
        what = "cortical regions" if any(get_view(name).content == "cortex" for name in empty) else "structures"
        raise InputError(
            f"View(s) {', '.join(empty)} would show nothing of atlas {atlas.name!r} (it has no {what} there). "
            f"Views that show it: {', '.join(useful) or 'none'}.",
            problems=[Problem(f"view {name!r} shows nothing of atlas {atlas.name!r}", field="views") for name in empty],
        )


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
    missing_color=DEFAULT_MISSING_COLOR,
    nodata_regions=None,
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
    nodata_color, medial_wall_color, missing_color : colour
        Greys of unpainted surface (shaded light on gyri, dark in sulci): regions
        without a value, the medial wall, and regions whose value is missing.
    antialias : {"fxaa", "msaa", "none"}
        One FXAA pass (default), 4x multisampling (finest silhouettes, about
        twice the CPU time on a software rasteriser) or none (thumbnails).
    nodata_regions : iterable of str, optional
        Keys of regions the values table has no column for. When given, the other
        NaN rows of ``region_colors`` are missing values (``missing_color``);
        without it every NaN row is no data (``nodata_color``).

    Returns
    -------
    ndarray, shape (height, width, 4), uint8
        Straight (not premultiplied) RGBA.

    Raises
    ------
    InputError
        The view would show nothing of ``atlas`` (the message names the views
        that would), or a colour is not a colour.
    """
    view = get_view(view)
    if background != "transparent":
        parse_color(background, "background")
    colors = _lookup_table(atlas, region_colors, nodata_color, medial_wall_color, missing_color, nodata_regions)
    check_views(atlas, [view])
    scene = build_scene(atlas, surface, view)
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
