import numpy as np

from cortico.atlases import load_atlas, template_columns
from cortico.atlases._mouse import BRAINPAINTER_GROUPS, BRAINPAINTER_NOT_ON_MAP


def test_mouse_dorsal_has_32_areas_per_hemisphere_mirrored():
    mouse = load_atlas("mouse-dorsal")
    assert mouse.space == "mouse-dorsal-2d"
    lh, rh = mouse.regions_of("cortical", "lh"), mouse.regions_of("cortical", "rh")
    assert len(lh) == len(rh) == 32 and not mouse.regions_of("subcortical")
    names = [r.name for r in lh]
    assert {"MOp", "MOs", "VISp", "SSp-bfd", "RSPd", "FRP", "AUDp", "TEa"} <= set(names)
    assert mouse.region("lh.VISp").label_id == 1153
    left, right = mouse.surface("pial", "lh"), mouse.surface("pial", "rh")
    # the right map is the left one mirrored across the midline (x = 0), normals face the top view
    np.testing.assert_allclose(right.vertices[:, 0], -left.vertices[:, 0])
    assert left.vertices[:, 0].max() < 0 < right.vertices[:, 0].min()
    assert np.all(left.normals[:, 2] == 1) and np.all(right.normals[:, 2] == 1)
    for mesh in (left, right):
        a, b, c = (mesh.vertices[mesh.faces[:, i]] for i in range(3))
        assert np.all(np.cross(b - a, c - a)[:, 2] > 0)  # counter-clockwise seen from above
    # primary visual cortex lies posterior (negative y) of primary motor cortex
    labels = mouse.vertex_regions("lh")
    y = left.vertices[:, 1]
    assert y[labels == mouse.region("lh.VISp").index].mean() < y[labels == mouse.region("lh.MOp").index].mean()
    assert set(np.unique(labels).tolist()) == {r.index for r in lh}


def test_brainpainter_mouse_columns_map_to_allen_areas():
    mouse = load_atlas("mouse-dorsal")
    columns = template_columns("mouse", "v2")
    mapped = [c for c in columns if c.split("-", 1)[1] in BRAINPAINTER_GROUPS]
    assert len(mapped) == 20 and len(columns) - len(mapped) == 2 * len(BRAINPAINTER_NOT_ON_MAP) == 34
    resolution = mouse.resolve(mapped)
    assert resolution.ok
    assert sorted(r.name for r in resolution.mapping["Left-Somatomotor"]) == ["MOp", "MOs"]
    assert {r.hemi for r in resolution.mapping["Right-Visual"]} == {"rh"}
    # every area of the map belongs to one BrainPainter column except the orbital one, absent from the image
    covered = {r.key for regions in resolution.mapping.values() for r in regions}
    assert len(covered) == 64
    unmapped = mouse.resolve([f"Left-{name}" for name in BRAINPAINTER_NOT_ON_MAP])
    assert set(unmapped.unknown) == {f"Left-{name}" for name in BRAINPAINTER_NOT_ON_MAP}


def test_mouse_template_of_the_atlas_itself():
    columns = template_columns("mouse-dorsal", "v2")
    assert len(columns) == 64 and columns[0] == "Left-AUDd" and "Right-VISp" in columns
