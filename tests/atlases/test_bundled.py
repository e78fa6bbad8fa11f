import numpy as np
import pytest

from cortico.atlases import list_atlases, load_atlas
from cortico.atlases._fsaverage import N_VERTICES
from cortico.atlases._geometry import signed_volume
from cortico.exceptions import InputError, NotFoundError


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
    assert [info.name for info in list_atlases()] == [
        "dk",
        "destrieux",
        "dkt",
        "aseg",
        "yeo7",
        "yeo17",
        "brodmann",
        "lobes",
        "orbitofrontal",
        "visuotopic",
        "schaefer100",
        "schaefer200",
        "schaefer300",
        "schaefer400",
        "schaefer1000",
        "glasser",
        "cole-anticevic",
        "mouse-dorsal",
    ]
    for info in list_atlases():
        assert info.source and info.licence and info.space in ("fsaverage", "mouse-dorsal-2d")
    with pytest.raises(NotFoundError, match="Unknown atlas 'brodman'.*'dk'"):
        load_atlas("brodman")


@pytest.mark.parametrize(
    "name, lh, rh, first, last",
    [
        ("yeo7", 7, 7, "7Networks_1", "7Networks_7"),
        ("Yeo2011-17", 17, 17, "17Networks_1", "17Networks_17"),
        ("brodmann", 41, 40, "Brodmann.8", "Brodmann.33"),
        ("lobes", 5, 5, "LOBE.FRONTAL", "LOBE.OCCIPITAL"),
        ("orbitofrontal", 24, 24, "Brodmann.33", "OngurEtAl_03_PrCO"),
        ("visuotopic", 11, 11, "Visuotopic.V3A", "Visuotopic.LO"),
    ],
)
def test_freesurfer_annotation_atlases(name, lh, rh, first, last):
    atlas = load_atlas(name)
    info = next(i for i in list_atlases() if i.name == atlas.name)
    assert info.cortical_regions == (lh, rh) and info.subcortical_regions == 27
    assert "FreeSurfer Software License" in info.licence
    for hemi, count in (("lh", lh), ("rh", rh)):
        regions = atlas.regions_of("cortical", hemi)
        assert len(regions) == count
        labels = atlas.vertex_regions(hemi)
        # every region has vertices; the medial wall / unlabelled vertices are -1
        assert set(np.unique(labels).tolist()) - {-1} == {r.index for r in regions}
    assert atlas.regions_of("cortical", "lh")[0].name == first
    assert atlas.regions_of("cortical", "lh")[-1].name == last
    assert len(atlas.regions_of("subcortical")) == 27


def test_yeo7_network_names_resolve_and_medial_wall_is_freesurfers():
    yeo = load_atlas("yeo7")
    resolution = yeo.resolve(["Left-Visual", "Right-Default", "7Networks_2"])
    assert resolution.ok
    assert [r.key for r in resolution.mapping["Left-Visual"]] == ["lh.7Networks_1"]
    assert [r.key for r in resolution.mapping["Right-Default"]] == ["rh.7Networks_7"]
    # FreeSurfer_Defined_Medial_Wall is not a region
    assert np.sum(yeo.vertex_regions("lh") == -1) == 14_200
    assert yeo.region("lh.7Networks_1").color == pytest.approx((120 / 255, 18 / 255, 134 / 255))


@pytest.mark.parametrize("mesh, count", [("fsaverage6", 40_962), ("fsaverage5", 10_242)])
def test_lighter_meshes_carry_the_same_labels(mesh, count, dk):
    light = load_atlas("dk", mesh=mesh)
    assert light.space == mesh and [r.key for r in light.regions] == [r.key for r in dk.regions]
    for hemi in ("lh", "rh"):
        pial = light.surface("pial", hemi)
        assert pial.n_vertices == count and pial.n_faces == 2 * count - 4
        assert signed_volume(pial.vertices, pial.faces) > 1e5
        # the lighter mesh's vertices are fsaverage's first vertices: same labels there
        np.testing.assert_array_equal(light.vertex_regions(hemi), dk.vertex_regions(hemi)[:count])
        # and the same places on the sphere-registered inflated surface, within a few mm on the pial one
        gap = np.linalg.norm(pial.vertices - dk.surface("pial", hemi).vertices[:count], axis=1)
        assert np.median(gap) < 1.5
    # every DK region keeps vertices on fsaverage5
    assert set(np.unique(light.vertex_regions("lh")).tolist()) - {-1} == {
        r.index for r in light.regions_of("cortical", "lh")
    }
    assert light.subcortical_mesh("lh.Hippocampus") is not None


def test_unknown_mesh_is_a_clear_error():
    with pytest.raises(InputError, match="Unknown mesh 'fsaverage4'; use one of fsaverage, fsaverage6, fsaverage5"):
        load_atlas("dk", mesh="fsaverage4")


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


def test_listed_region_counts_match_the_loaded_atlases():
    for info in list_atlases():
        atlas = load_atlas(info.name)
        counts = tuple(len(atlas.regions_of("cortical", hemi)) for hemi in ("lh", "rh"))
        assert counts == info.cortical_regions, info.name
        assert len(atlas.regions_of("subcortical")) == info.subcortical_regions, info.name
