import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cortico.atlases import Atlas, Region, load_atlas, normalise_name
from cortico.atlases._templates import brainpainter_columns


@pytest.mark.parametrize("template", ["dk", "destrieux", "dkt"])
@pytest.mark.parametrize("schema", ["v1", "v2"])
def test_every_brainpainter_column_resolves(template, schema):
    atlas = load_atlas(template)
    columns = brainpainter_columns()[template][schema]
    resolution = atlas.resolve(columns)
    assert resolution.ok, resolution.problems
    assert resolution.unknown == {} and resolution.ambiguous == {}
    painted = {region.key for regions in resolution.mapping.values() for region in regions}
    # every region but the midline brain stem and 3rd/4th ventricle gets a value
    assert {r.key for r in resolution.missing} == {"Brain-Stem", "3rd-Ventricle", "4th-Ventricle"}
    assert len(painted) == len(atlas.regions) - 3
    wall = [column for column in columns if column.lower().endswith("unknown")]
    assert set(resolution.medial_wall) == set(wall)
    if schema == "v1":
        assert all(len(regions) == 2 for regions in resolution.mapping.values())
        assert resolution.medial_wall[wall[0]] == ("lh", "rh")
    else:
        assert all(len(regions) == 1 for regions in resolution.mapping.values())
        assert resolution.medial_wall["Left-" + wall[0][5:]] == ("lh",)


@pytest.mark.parametrize(
    "column, keys",
    [
        ("Thalamus-Proper", ["lh.Thalamus", "rh.Thalamus"]),
        ("Left-Thalamus-Proper", ["lh.Thalamus"]),
        ("lh_superiorfrontal", ["lh.superiorfrontal"]),
        ("rh.superiorfrontal", ["rh.superiorfrontal"]),
        ("L_insula", ["lh.insula"]),
        ("R_Caudate", ["rh.Caudate"]),
        ("caudate_left", ["lh.Caudate"]),
        ("PUTAMEN_RIGHT", ["rh.Putamen"]),
        ("precuneus_lh", ["lh.precuneus"]),
        ("ctx-rh-precuneus", ["rh.precuneus"]),
        ("Superior Frontal", ["lh.superiorfrontal", "rh.superiorfrontal"]),
        ("  Left Hippocampus ", ["lh.Hippocampus"]),
        ("\ufeffbankssts", ["lh.bankssts", "rh.bankssts"]),
        ("brainstem", ["Brain-Stem"]),
        ("Brain_Stem", ["Brain-Stem"]),
        ("Left-Ventral-DC", ["lh.VentralDC"]),
        ("third ventricle", ["3rd-Ventricle"]),
    ],
)
def test_tricky_aliases(dk, column, keys):
    resolution = dk.resolve([column])
    assert resolution.ok, resolution.problems
    assert sorted(r.key for r in resolution.mapping[column]) == keys


def test_destrieux_names_with_mixed_separators(destrieux):
    resolution = destrieux.resolve(["Left-G_and_S_cingul-Ant", "rh_G_and_S_cingul_Ant", "s.central"])
    assert resolution.ok
    assert [r.key for r in resolution.mapping["rh_G_and_S_cingul_Ant"]] == ["rh.G_and_S_cingul-Ant"]
    assert len(resolution.mapping["s.central"]) == 2


def test_unknown_names_get_suggestions(dk):
    resolution = dk.resolve(["Hipocampus", "Left-Hipocampus", "xyzzy"])
    assert not resolution.ok and len(resolution.problems) == 3
    assert resolution.unknown["Hipocampus"][0] == "Hippocampus"
    assert resolution.unknown["Left-Hipocampus"][0] == "Left-Hippocampus"
    assert resolution.unknown["xyzzy"] == []
    assert "Column 'Hipocampus' matches no region of atlas 'dk'; did you mean 'Hippocampus'" in (resolution.problems[0])


def test_duplicate_columns_are_reported(dk):
    resolution = dk.resolve(["Hippocampus", "Left-Hippocampus"])
    assert [r.key for r in resolution.mapping["Hippocampus"]] == ["lh.Hippocampus", "rh.Hippocampus"]
    assert "Left-Hippocampus" not in resolution.mapping
    assert resolution.problems == [
        "Columns 'Hippocampus' and 'Left-Hippocampus' both give a value for region 'lh.Hippocampus'; keep only one."
    ]


def test_normalised_names_are_unique_within_each_atlas(dk, destrieux, dkt):
    for atlas in (dk, destrieux, dkt):
        for hemi in ("lh", "rh", None):
            names = [normalise_name(r.name) for r in atlas.regions_of(hemi=hemi)]
            assert len(names) == len(set(names))


_SIDE_STYLES = {
    "lh": ["Left-{}", "lh_{}", "lh.{}", "L_{}", "{}_left", "{}_lh", "{}_L", "ctx-lh-{}"],
    "rh": ["Right-{}", "rh_{}", "rh.{}", "R_{}", "{}_right", "{}_rh", "{}_R", "ctx-rh-{}"],
}
DK_REGION_COUNT = 34 * 2 + 27


@settings(max_examples=150, deadline=None)
@given(
    position=st.integers(0, DK_REGION_COUNT - 1),
    style=st.integers(0, 7),
    case=st.sampled_from([str, str.lower, str.upper]),
    separator=st.sampled_from(["-", "_", " ", "."]),
)
def test_any_hemisphere_style_case_and_separator_resolves(dk, position, style, case, separator):
    region = dk.regions[position]
    name = region.name.replace("-", separator)
    column = _SIDE_STYLES[region.hemi][style].format(name) if region.hemi else name
    column = case(column)
    resolution = dk.resolve([column])
    assert resolution.ok, (column, resolution.problems)
    assert [r.key for r in resolution.mapping[column]] == [region.key]


def test_names_differing_only_in_case_are_ambiguous():
    regions = [Region("Visual", "lh", "subcortical", (1, 0, 0), 0), Region("VISUAL", "lh", "subcortical", (0, 1, 0), 1)]
    resolution = Atlas("cased", "Cased", regions).resolve(["visual", "Left-Visual"])
    assert resolution.ambiguous == {"visual": ["lh.VISUAL", "lh.Visual"], "Left-Visual": ["lh.VISUAL", "lh.Visual"]}
    assert "ambiguous in atlas 'cased'" in resolution.problems[0]
