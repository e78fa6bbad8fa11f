import numpy as np
import pytest

from cortico.atlases import list_atlases, load_atlas
from cortico.atlases._fsaverage import N_VERTICES
from cortico.atlases._geometry import signed_volume
from cortico.exceptions import NotFoundError


@pytest.mark.parametrize(
    "name, canonical, per_hemi",
    [
        ("dk", "dk", 34),
        ("Desikan-Killiany", "dk", 34),
        ("DESTRIEUX", "destrieux", 74),
        ("dkt", "dkt", 31),
        ("Tourville", "dkt", 31),
        ("aseg", "aseg", 0),
    ],
)
def test_region_counts_per_hemisphere(name, canonical, per_hemi):
    atlas = load_atlas(name)
    assert atlas.name == canonical
    for hemi in ("lh", "rh"):
        assert len(atlas.regions_of("cortical", hemi)) == per_hemi
        assert len(atlas.regions_of("subcortical", hemi)) == 12
    assert [r.name for r in atlas.regions_of("subcortical", None)] == ["Brain-Stem", "3rd-Ventricle", "4th-Ventricle"]
    assert [r.index for r in atlas.regions] == list(range(len(atlas.regions)))
    assert len({r.key for r in atlas.regions}) == len(atlas.regions)


def test_list_and_unknown_atlas():
    assert [info.name for info in list_atlases()] == ["dk", "destrieux", "dkt", "aseg"]
    with pytest.raises(NotFoundError, match="Unknown atlas 'brodmann'.*'dk'"):
        load_atlas("brodmann")


def test_surfaces_are_full_resolution_and_consistent(dk):
    pial, white = dk.surface("pial", "lh"), dk.surface("white", "lh")
    mid = dk.surface("midthickness", "lh")
    assert pial.vertices.shape == (N_VERTICES, 3) and pial.faces.shape == (327_680, 3)
    np.testing.assert_allclose(mid.vertices, (pial.vertices + white.vertices) / 2, atol=1e-4)
    for kind in ("pial", "white", "inflated", "midthickness"):
        for hemi in ("lh", "rh"):
            mesh = dk.surface(kind, hemi)
            assert np.isfinite(mesh.vertices).all()
            np.testing.assert_allclose(np.linalg.norm(mesh.normals, axis=1), 1.0, atol=1e-4)
            # faces wind outwards: the closed surface encloses a positive volume
            assert signed_volume(mesh.vertices, mesh.faces) > 1e5
    # left hemisphere lies at negative x (RAS)
    assert dk.surface("pial", "lh").vertices[:, 0].mean() < -20
    assert dk.surface("pial", "rh").vertices[:, 0].mean() > 20


def test_vertex_regions(dk, destrieux):
    for atlas in (dk, destrieux):
        for hemi in ("lh", "rh"):
            labels = atlas.vertex_regions(hemi)
            assert labels.dtype == np.int32 and labels.shape == (N_VERTICES,)
            cortical = {r.index for r in atlas.regions_of("cortical", hemi)}
            present = set(np.unique(labels).tolist()) - {-1}
            assert present == cortical
            assert 12_000 < np.sum(labels == -1) < 15_000  # the medial wall
    mask = dk.vertex_mask("rh.superiorfrontal")
    assert mask.dtype == bool and 5000 < mask.sum() < 20_000
    np.testing.assert_array_equal(mask, dk.vertex_regions("rh") == dk.region("rh.superiorfrontal").index)
    with pytest.raises(NotFoundError, match="not a cortical region"):
        dk.vertex_mask("lh.Hippocampus")


def test_colours_are_freesurfers(dk):
    assert dk.region("lh.Hippocampus").color == pytest.approx((220 / 255, 216 / 255, 20 / 255))
    assert dk.region("rh.superiorfrontal").color == pytest.approx((20 / 255, 220 / 255, 160 / 255))
    assert dk.region("lh.Hippocampus").label_id == 17
    assert dk.region("rh.Hippocampus").label_id == 53


def test_aseg_alone_has_surfaces_but_no_cortical_labels():
    aseg = load_atlas("aseg")
    assert aseg.surface("inflated", "rh").n_vertices == N_VERTICES
    assert (aseg.vertex_regions("lh") == -1).all()
