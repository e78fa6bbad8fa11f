"""``mouse-dorsal``: 32 Allen CCF areas of the mouse dorsal cortex as a flat 2-D map.

The label image (140 x 142 pixels, left hemisphere, bregma at column 71, row 60,
anterior up) comes from the mesoscopy 0.17.1 wheel (MIT) and is vendored as
``mouse_dorsal.npz`` (see ``scripts/vendor_mouse_dorsal.py``). The right hemisphere
is its mirror image across the midline. Each hemisphere becomes a flat triangle
mesh in the z = 0 plane (x right, y anterior, normals +z, seen by the ``top``
view), on a grid upsampled so borders stay crisp; coordinates are image pixels x
0.1 (nominal units) with bregma at the origin.
"""

import functools
import re
from importlib import resources

import numpy as np

from cortico.atlases._model import Atlas, Mesh, Region
from cortico.atlases._names import HEMIS, SURFACE_KINDS

UPSAMPLE = 3
PIXEL = 0.1
_MIDLINE_COLUMN = 71

#: BrainPainter mouse-template areas that the dorsal map has, as Allen acronyms.
BRAINPAINTER_GROUPS = {
    "Auditory": ("AUDd", "AUDp", "AUDpo", "AUDv"),
    "Somatomotor": ("MOp", "MOs"),
    "Somatosensory": ("SSp-ul", "SSp-ul1", "SSp-bfd", "SSp-ll", "SSp-m", "SSp-n", "SSp-tr", "SSp-un", "SSs"),
    "Visual": ("VISal", "VISam", "VISl", "VISp", "VISpl", "VISpm", "VISli", "VISpor"),
    "Posterior-parietal-association-areas": ("VISa", "VISrl"),
    "Retrosplenial": ("RSPagl", "RSPd", "RSPv"),
    "Prelimbic": ("PL",),
    "Frontal-pole": ("FRP",),
    "Visceral": ("VISC",),
    "Temporal-association-areas": ("TEa",),
}
#: BrainPainter mouse-template areas that are not on the dorsal cortical surface.
BRAINPAINTER_NOT_ON_MAP = (
    "Anterior-cingulate",
    "Cortical-subplate",
    "Gustatory",
    "Infralimbic",
    "Medulla",
    "Olfactory",
    "Pons",
    "Striatum",
    "Agranular-insular-area",
    "Perirhinal",
    "Ectorhinal",
    "Cerebellum",
    "Hypothalamus",
    "Hippocampus",
    "Midbrain",
    "Pallidum",
    "Thalamus",
)


@functools.cache
def _data():
    with resources.files("cortico.atlases").joinpath("mouse_dorsal.npz").open("rb") as stream:
        with np.load(stream, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}


def _area_names():
    """Allen id -> area name: the acronym without the layer-1 suffix unless two areas would clash."""
    data = _data()
    present = set(np.unique(data["labels"]).tolist())
    entries = [(int(i), str(a)) for i, a in zip(data["ids"], data["acronyms"], strict=True) if int(i) in present]
    stripped = {label_id: re.sub(r"(?<=[A-Za-z])1$", "", acronym) for label_id, acronym in entries}
    counts = {}
    for name in stripped.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        label_id: (stripped[label_id] if counts[stripped[label_id]] == 1 or stripped[label_id] == acronym else acronym)
        for label_id, acronym in entries
    }


def _palette(count):
    from matplotlib import colormaps

    colours = [colormaps["tab20"](i)[:3] for i in range(20)] + [colormaps["tab20b"](i)[:3] for i in range(20)]
    return colours[:count]


def _flat_mesh(labels, mirror):
    """Vertices at the centres of an upsampled label grid, two triangles per square of 4 labelled points."""
    grid = np.kron(labels, np.ones((UPSAMPLE, UPSAMPLE), dtype=labels.dtype))
    rows, cols = grid.shape
    labelled = grid > 0
    index = np.full(grid.shape, -1, dtype=np.int64)
    index[labelled] = np.arange(int(labelled.sum()))
    r, c = np.nonzero(labelled)
    x = ((c + 0.5) / UPSAMPLE - _MIDLINE_COLUMN) * PIXEL
    y = -((r + 0.5) / UPSAMPLE - float(_data()["bregma"][1])) * PIXEL  # rows run posterior: anterior is +y
    if mirror:
        x = -x
    vertices = np.column_stack([x, y, np.zeros_like(x)])
    a, b = index[:-1, :-1], index[:-1, 1:]
    d, e = index[1:, :-1], index[1:, 1:]
    square = (a >= 0) & (b >= 0) & (d >= 0) & (e >= 0)
    # image rows go down (posterior): (a, d, b) is counter-clockwise seen from +z
    faces = np.concatenate(
        [np.column_stack([a[square], d[square], b[square]]), np.column_stack([b[square], d[square], e[square]])]
    )
    if mirror:
        faces = faces[:, ::-1]
    return vertices, faces, grid[labelled]


def mouse_dorsal_atlas():
    """The ``mouse-dorsal`` Atlas: 32 areas per hemisphere on a flat dorsal map."""
    data = _data()
    names = _area_names()
    ids = sorted(names, key=lambda label_id: names[label_id].lower())
    colours = dict(zip(ids, _palette(len(ids)), strict=True))
    regions, surfaces, vertex_labels = [], {}, {}
    for hemi in HEMIS:
        offset = len(regions)
        for label_id in ids:
            regions.append(
                Region(names[label_id], hemi, "cortical", colours[label_id], len(regions), label_id=label_id)
            )
        vertices, faces, values = _flat_mesh(data["labels"].astype(np.int64), mirror=hemi == "rh")
        mesh = Mesh(vertices, faces, np.tile(np.array([0.0, 0.0, 1.0], dtype=np.float32), (len(vertices), 1)))
        for kind in SURFACE_KINDS:
            surfaces[(kind, hemi)] = mesh  # one flat map stands for every surface kind
        lookup = np.full(int(values.max()) + 1, -1, dtype=np.int32)
        lookup[ids] = np.arange(offset, offset + len(ids), dtype=np.int32)
        labels = lookup[values]
        labels.flags.writeable = False
        vertex_labels[hemi] = labels
    return Atlas(
        "mouse-dorsal",
        "Mouse dorsal cortex, 32 Allen CCF areas (flat 2-D map)",
        regions,
        surfaces,
        vertex_labels,
        {},
        space="mouse-dorsal-2d",
        description="Allen CCF dorsal cortex label image from mesoscopy 0.17.1 (MIT); right hemisphere mirrored. "
        "Paint it with the view 'top'. BrainPainter mouse columns not on this map (ignored): "
        + ", ".join(BRAINPAINTER_NOT_ON_MAP)
        + ".",
        groups=BRAINPAINTER_GROUPS,
    )
