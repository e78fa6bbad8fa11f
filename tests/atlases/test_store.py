import nibabel as nib
import numpy as np
import pytest

from cortico.atlases import AtlasStore, import_surface_atlas, import_volume_atlas
from cortico.exceptions import ConflictError, InputError, NotFoundError


@pytest.fixture
def volume_atlas(tmp_path):
    data = np.zeros((12, 12, 12), dtype=np.int16)
    data[2:6, 2:6, 2:6] = 1
    data[6:10, 2:6, 2:6] = 2
    path = tmp_path / "v.nii.gz"
    nib.save(nib.Nifti1Image(data, np.eye(4)), path)
    table = tmp_path / "t.csv"
    table.write_text("1,Left-A,255,0,0\n2,Right-A,0,255,0\n")
    return import_volume_atlas("Blocks", path, table)


@pytest.fixture
def surface_atlas(tmp_path):
    vertices = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]], float)
    faces = np.array([[0, 2, 4], [2, 1, 4], [1, 3, 4], [3, 0, 4], [2, 0, 5], [1, 2, 5], [3, 1, 5], [0, 3, 5]])
    nib.freesurfer.write_geometry(str(tmp_path / "lh.s"), vertices, faces)
    np.save(tmp_path / "lh.npy", np.array([1, 1, 1, 2, 2, 2]))
    (tmp_path / "n.csv").write_text("1,up\n2,down\n")
    return import_surface_atlas(
        "Octa", {"lh": tmp_path / "lh.s"}, {"lh": tmp_path / "lh.npy"}, names_table=tmp_path / "n.csv"
    )


def test_round_trip_volume_and_surface(tmp_path, volume_atlas, surface_atlas):
    store = AtlasStore(tmp_path / "store")
    volume_id = store.save("alice", volume_atlas)
    surface_id = store.save("alice", surface_atlas)
    loaded = store.load("alice", volume_id)
    assert [r.key for r in loaded.regions] == ["lh.A", "rh.A"]
    assert loaded.regions == volume_atlas.regions
    for region in loaded.regions:
        np.testing.assert_array_equal(
            loaded.subcortical_mesh(region).faces, volume_atlas.subcortical_mesh(region).faces
        )
    surface = store.load("alice", surface_id)
    np.testing.assert_array_equal(surface.vertex_regions("lh"), [0, 0, 0, 1, 1, 1])
    np.testing.assert_allclose(surface.surface("pial", "lh").normals, surface_atlas.surface("pial", "lh").normals)
    assert surface.resolve(["Up_L"]).ok
    assert [entry.name for entry in store.list("alice")] == ["Blocks", "Octa"]
    assert store.find("alice", "octa") == surface_id
    assert not [p for p in (tmp_path / "store" / "alice").iterdir() if p.name.startswith(".tmp")]


def test_owners_are_isolated(tmp_path, volume_atlas):
    store = AtlasStore(tmp_path)
    atlas_id = store.save("alice", volume_atlas)
    assert store.list("bob") == []
    with pytest.raises(NotFoundError):
        store.load("bob", atlas_id)
    store.save("bob", volume_atlas)  # same name, other owner: fine
    with pytest.raises(ConflictError, match="already have an atlas named 'Blocks'"):
        store.save("alice", volume_atlas)


def test_ids_only_in_paths(tmp_path, volume_atlas):
    store = AtlasStore(tmp_path)
    for owner in ("../etc", "a/b", "", "x" * 65):
        with pytest.raises(InputError, match="Invalid owner id"):
            store.save(owner, volume_atlas)
    with pytest.raises(NotFoundError):
        store.load("alice", "../../secret")
    with pytest.raises(NotFoundError, match="no imported atlas named 'nope'"):
        store.find("alice", "nope")


def test_delete(tmp_path, volume_atlas):
    store = AtlasStore(tmp_path)
    atlas_id = store.save(7, volume_atlas)
    store.delete(7, atlas_id)
    assert store.list(7) == []
    with pytest.raises(NotFoundError):
        store.delete(7, atlas_id)


def test_unreadable_entries_are_skipped_in_listings(tmp_path, volume_atlas):
    store = AtlasStore(tmp_path)
    good = store.save("alice", volume_atlas)
    broken = tmp_path / "alice" / ("f" * 32)
    broken.mkdir()
    (broken / "atlas.json").write_text("{not json")
    assert [entry.id for entry in store.list("alice")] == [good]
