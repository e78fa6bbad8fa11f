import nibabel as nib
import numpy as np
import pytest

from cortico.atlases import import_surface_atlas, import_volume_atlas, load_atlas, template_columns
from cortico.atlases._fsdata import fsaverage_file
from cortico.atlases._geometry import edge_use_counts, signed_volume
from cortico.exceptions import InputError

VOXEL = 0.5  # mm
ORIGIN = np.array([-10.0, -12.0, 5.0])
AFFINE = np.diag([VOXEL, VOXEL, VOXEL, 1.0])
AFFINE[:3, 3] = ORIGIN
CENTRE = np.array([20, 20, 20])


def _blobs():
    """Nested spheres (outer shell 1 around core 2), an adjacent box 3, a midline blob 4."""
    grid = np.indices((48, 40, 40)).transpose(1, 2, 3, 0)
    distance = np.linalg.norm(grid - CENTRE, axis=-1)
    data = np.zeros((48, 40, 40), dtype=np.int16)
    data[distance <= 10] = 1
    data[distance <= 5] = 2
    data[31:40, 15:26, 15:26] = 3  # touches the outer sphere at x = 30/31
    data[42:46, 5:9, 30:36] = 4
    return data


TABLE = "id,name,r,g,b\n1,Left-Outer,255,0,0\n2,lh_Core,0,255,0\n3,Cube_R,0,0,255\n4,Midline,9,9,9\n7,Unused,1,1,1\n"


@pytest.fixture
def blob_files(tmp_path):
    volume = tmp_path / "blobs.nii.gz"
    nib.save(nib.Nifti1Image(_blobs(), AFFINE), volume)
    table = tmp_path / "labels.csv"
    table.write_text(TABLE)
    return volume, table


def test_volume_import_nested_and_adjacent_blobs(blob_files):
    data = _blobs()
    calls = []
    atlas = import_volume_atlas("blobs", *blob_files, progress=lambda done, total: calls.append((done, total)))
    assert [r.key for r in atlas.regions] == ["lh.Outer", "lh.Core", "rh.Cube", "Midline"]
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert atlas.region("lh.Outer").color == (1.0, 0.0, 0.0)
    for region in atlas.regions:
        mesh = atlas.subcortical_mesh(region)
        assert (edge_use_counts(mesh.faces)[1] == 2).all(), region.key
        expected = np.sum(data == region.label_id) * VOXEL**3
        volume = signed_volume(mesh.vertices, mesh.faces)
        assert 0.85 * expected < volume < 1.1 * expected, (region.key, expected, volume)
    core = atlas.subcortical_mesh("lh.Core").vertices
    np.testing.assert_allclose(core.mean(axis=0), ORIGIN + VOXEL * CENTRE, atol=0.1)
    # the outer shell has an outer and an inner (cavity) sheet: its vertices reach both radii
    outer = atlas.subcortical_mesh("lh.Outer").vertices
    radii = np.linalg.norm(outer - (ORIGIN + VOXEL * CENTRE), axis=1)
    assert radii.min() < 3.2 and radii.max() > 4.8


def test_volume_import_from_mgz_and_lut(tmp_path):
    data = _blobs()
    volume = tmp_path / "blobs.mgz"
    nib.save(nib.MGHImage(data.astype(np.int32), AFFINE), volume)
    lut = tmp_path / "labels.txt"
    lut.write_text(
        "#No. Label R G B A\n0 Unknown 0 0 0 0\n1 Outer 10 20 30 0\n2 Core 1 2 3 0\n3 Cube 4 5 6 0\n4 Midline 7 8 9 0\n"
    )
    atlas = import_volume_atlas("mgz", volume, lut, smoothing_iterations=0, decimation=0.0)
    assert [r.key for r in atlas.regions] == ["Outer", "Core", "Cube", "Midline"]
    assert atlas.region("Outer").color == pytest.approx((10 / 255, 20 / 255, 30 / 255))


def test_volume_import_nrrd(tmp_path, blob_files):
    ants = pytest.importorskip("ants")
    path = tmp_path / "blobs.nrrd"
    ants.image_write(
        ants.from_numpy(_blobs().astype(np.float32), origin=(3.0, 4.0, 5.0), spacing=(VOXEL,) * 3), str(path)
    )
    atlas = import_volume_atlas("nrrd", path, blob_files[1])
    centre = atlas.subcortical_mesh("lh.Core").vertices.mean(axis=0)
    # ITK's LPS origin (3, 4, 5) is RAS (-3, -4, 5); x and y axes point the other way
    np.testing.assert_allclose(centre, [-3 - VOXEL * 20, -4 - VOXEL * 20, 5 + VOXEL * 20], atol=0.1)


def _write_volume(tmp_path, data, affine=AFFINE):
    path = tmp_path / "bad.nii.gz"
    nib.save(nib.Nifti1Image(data, affine), path)
    return path


@pytest.mark.parametrize(
    "data, message",
    [
        (np.full((4, 4, 4), 1.5, dtype=np.float32), "bad.nii.gz: label ids must be integers"),
        (np.zeros((4, 4, 4), dtype=np.int16), "bad.nii.gz contains no labelled voxel"),
        (np.full((4, 4, 4), 9, dtype=np.int16), r"bad.nii.gz: label ids 9 are not in the label table"),
        (np.ones((4, 4), dtype=np.int16), "expected a 3-D label volume"),
    ],
)
def test_volume_import_errors(tmp_path, blob_files, data, message):
    with pytest.raises(InputError, match=message):
        import_volume_atlas("bad", _write_volume(tmp_path, data), blob_files[1])


def test_volume_import_missing_files_and_duplicate_names(tmp_path, blob_files):
    with pytest.raises(InputError, match="Volume nothing.nii: file not found"):
        import_volume_atlas("x", tmp_path / "nothing.nii", blob_files[1])
    with pytest.raises(InputError, match="Label table nothing.csv: file not found"):
        import_volume_atlas("x", blob_files[0], tmp_path / "nothing.csv")
    table = tmp_path / "dup.csv"
    table.write_text("1,Outer\n2,Outer\n3,Cube\n4,Midline\n")
    with pytest.raises(InputError, match="'Outer' \\(id 2\\) repeats"):
        import_volume_atlas("x", blob_files[0], table)
    not_a_volume = tmp_path / "text.nii"
    not_a_volume.write_text("hello")
    with pytest.raises(InputError, match="text.nii: cannot read"):
        import_volume_atlas("x", not_a_volume, blob_files[1])


def test_mouse_template_resolves_against_an_imported_volume_atlas(tmp_path):
    columns = template_columns("mouse", "v2")
    data = np.zeros((4 * len(columns), 6, 6), dtype=np.int16)
    for i in range(len(columns)):
        data[4 * i + 1 : 4 * i + 3, 2:4, 2:4] = i + 1
    volume = tmp_path / "mouse.nii.gz"
    nib.save(nib.Nifti1Image(data, np.eye(4)), volume)
    table = tmp_path / "mouse.csv"
    table.write_text("".join(f"{i + 1},{name}\n" for i, name in enumerate(columns)))
    atlas = import_volume_atlas("mouse", volume, table, decimation=0.0)
    assert len(atlas.regions_of(hemi="lh")) == len(atlas.regions_of(hemi="rh")) == 27
    resolution = atlas.resolve(columns)
    assert resolution.ok and resolution.missing == ()
    assert [r.key for r in resolution.mapping["Right-Posterior-parietal-association-areas"]] == [
        "rh.Posterior-parietal-association-areas"
    ]
    assert len(atlas.resolve(["Hippocampus"]).mapping["Hippocampus"]) == 2


def test_surface_import_of_fsaverage_aparc_matches_bundled_dk(dk):
    atlas = import_surface_atlas(
        "my dk",
        {"lh": fsaverage_file("surf/lh.white")},
        {"lh": fsaverage_file("label/lh.aparc.annot")},
        surface_kind="white",
        space="fsaverage",
    )
    assert len(atlas.regions) == 34 and atlas.surface_kinds == ("white",)
    names = np.array([""] + [r.name for r in atlas.regions], dtype=object)
    bundled = np.array([""] + [r.name for r in dk.regions], dtype=object)
    np.testing.assert_array_equal(names[atlas.vertex_regions("lh") + 1], bundled[dk.vertex_regions("lh") + 1])
    np.testing.assert_allclose(atlas.surface("white", "lh").vertices, dk.surface("white", "lh").vertices)


def _small_surface(tmp_path):
    """An octahedron in FreeSurfer geometry and GIFTI formats."""
    vertices = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], dtype=np.float32)
    faces = np.array(
        [[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]], dtype=np.int32
    )
    fs_path = tmp_path / "lh.octa"
    nib.freesurfer.write_geometry(str(fs_path), vertices, faces)
    gii_path = tmp_path / "rh.octa.surf.gii"
    gifti = nib.gifti.GiftiImage(
        darrays=[
            nib.gifti.GiftiDataArray(vertices, intent="NIFTI_INTENT_POINTSET"),
            nib.gifti.GiftiDataArray(faces, intent="NIFTI_INTENT_TRIANGLE"),
        ]
    )
    nib.save(gifti, gii_path)
    return fs_path, gii_path


def test_surface_import_annot_gifti_and_array(tmp_path):
    fs_path, gii_path = _small_surface(tmp_path)
    annot = tmp_path / "lh.parc.annot"
    ctab = np.array([[25, 5, 25, 0, 0], [200, 0, 0, 0, 0], [0, 200, 0, 0, 0]])
    nib.freesurfer.write_annot(
        str(annot), np.array([1, 1, 2, 2, 0, -1]), ctab, [b"unknown", b"front", b"back"], fill_ctab=True
    )
    label_gii = tmp_path / "rh.parc.label.gii"
    table = nib.gifti.GiftiLabelTable()
    entries = [(0, "???", (0, 0, 0, 0)), (5, "R_front", (1, 0, 0, 1)), (6, "R_back", (0, 1, 0, 1))]
    for key, name, rgba in entries:
        label = nib.gifti.GiftiLabel(key, *rgba)
        label.label = name
        table.labels.append(label)
    nib.save(
        nib.gifti.GiftiImage(
            labeltable=table,
            darrays=[
                nib.gifti.GiftiDataArray(
                    np.array([5, 5, 6, 6, 0, 0], dtype=np.int32),
                    intent="NIFTI_INTENT_LABEL",
                    datatype="NIFTI_TYPE_INT32",
                )
            ],
        ),
        label_gii,
    )
    atlas = import_surface_atlas("octa", {"lh": fs_path, "rh": gii_path}, {"lh": annot, "rh": label_gii})
    assert [r.key for r in atlas.regions] == ["lh.front", "lh.back", "rh.front", "rh.back"]
    np.testing.assert_array_equal(atlas.vertex_regions("lh"), [0, 0, 1, 1, -1, -1])
    np.testing.assert_array_equal(atlas.vertex_regions("rh"), [2, 2, 3, 3, -1, -1])
    assert atlas.region("lh.front").color == pytest.approx((200 / 255, 0, 0))
    assert atlas.resolve(["front", "Right-back"]).ok

    values = tmp_path / "lh.values.npy"
    np.save(values, np.array([3, 3, 3, 4, 4, 4]))
    names = tmp_path / "names.csv"
    names.write_text("id,name\n3,top\n4,bottom\n")
    atlas = import_surface_atlas("array", {"lh": fs_path}, {"lh": values}, names_table=names)
    assert [r.name for r in atlas.regions] == ["top", "bottom"]
    assert atlas.surface("pial", "lh").n_vertices == 6


@pytest.mark.parametrize(
    "values, message",
    [
        (np.array([1, 1, 1, 2, 2]), "lh.values.npy have 5 values but surface lh.octa has 6 vertices"),
        (np.array([1, 1, 1, 2, 2, 9]), "label ids 9 are not in the label table"),
        (np.array([1.0, 1.5, 1, 2, 2, 2]), "label ids must be integers"),
        (np.zeros(6, dtype=int), "no vertex carries a named label"),
        (np.ones((2, 3), dtype=int), "expected one label per vertex"),
    ],
)
def test_surface_import_errors(tmp_path, values, message):
    fs_path, _ = _small_surface(tmp_path)
    path = tmp_path / "lh.values.npy"
    np.save(path, values)
    names = tmp_path / "names.csv"
    names.write_text("1,a\n2,b\n")
    with pytest.raises(InputError, match=message):
        import_surface_atlas("x", {"lh": fs_path}, {"lh": path}, names_table=names)


def test_surface_import_input_errors(tmp_path):
    fs_path, _ = _small_surface(tmp_path)
    values = tmp_path / "lh.values.npy"
    np.save(values, np.ones(6, dtype=int))
    with pytest.raises(InputError, match="lh.values.npy: holds only numbers; give a label table"):
        import_surface_atlas("x", {"lh": fs_path}, {"lh": values})
    with pytest.raises(InputError, match="Surface missing.pial: file not found"):
        import_surface_atlas("x", {"lh": tmp_path / "missing.pial"}, {"lh": values})
    with pytest.raises(InputError, match="labels for \\['lh', 'rh'\\]"):
        import_surface_atlas("x", {"lh": fs_path}, {"lh": values, "rh": values})
    garbage = tmp_path / "garbage.pial"
    garbage.write_bytes(b"\x00" * 20)
    with pytest.raises(InputError, match="Surface garbage.pial: cannot read"):
        import_surface_atlas("x", {"lh": garbage}, {"lh": values})
    with pytest.raises(InputError, match="Atlas name"):
        import_surface_atlas(" ", {"lh": fs_path}, {"lh": values})


def test_bundled_atlas_is_unchanged_by_imports():
    # imports never touch the bundled registry
    assert load_atlas("aseg").name == "aseg"


def test_template_import_of_yeo_annot_on_fsaverage5(tmp_path):
    from cortico.atlases import AtlasStore, import_template_atlas
    from cortico.atlases._fsdata import mesh_file

    steps = []
    atlas = import_template_atlas(
        "my yeo",
        {"lh": mesh_file("fsaverage5", "label/lh.Yeo2011_7Networks_N1000.annot")},
        mesh="fsaverage5",
        progress=lambda done, total: steps.append((done, total)),
    )
    assert steps == [(1, 1)] and atlas.template == "fsaverage5" and atlas.hemis == ("lh",)
    assert [r.name for r in atlas.regions] == [f"7Networks_{i}" for i in range(1, 8)]
    assert atlas.surface("inflated", "lh").n_vertices == 10_242
    store = AtlasStore(tmp_path)
    atlas_id = store.save("alice", atlas)
    # the template's surfaces are not copied: only labels are stored
    assert (tmp_path / "alice" / atlas_id / "arrays.npz").stat().st_size < 100_000
    loaded = store.load("alice", atlas_id)
    assert loaded.template == "fsaverage5" and loaded.surface_kinds == ("pial", "white", "inflated", "midthickness")
    np.testing.assert_array_equal(loaded.vertex_regions("lh"), atlas.vertex_regions("lh"))
    np.testing.assert_array_equal(loaded.surface("pial", "lh").vertices, atlas.surface("pial", "lh").vertices)


def test_template_import_errors(tmp_path):
    from cortico.atlases import import_template_atlas

    with pytest.raises(InputError, match=r"lh.aparc.annot have 163842 values but the fsaverage6 mesh has 40962"):
        import_template_atlas("x", {"lh": fsaverage_file("label/lh.aparc.annot")}, mesh="fsaverage6")
    with pytest.raises(InputError, match="Unknown template mesh 'fsaverage3'"):
        import_template_atlas("x", {"lh": fsaverage_file("label/lh.aparc.annot")}, mesh="fsaverage3")
    with pytest.raises(InputError, match="keyed 'lh' and/or 'rh'"):
        import_template_atlas("x", {"left": fsaverage_file("label/lh.aparc.annot")})
    bad = tmp_path / "lh.annot"
    bad.write_bytes(b"not an annotation")
    with pytest.raises(InputError, match="Labels lh.annot: cannot read"):
        import_template_atlas("x", {"lh": bad})
