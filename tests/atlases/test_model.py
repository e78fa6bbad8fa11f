import numpy as np
import pytest

from cortico.atlases import Atlas, Mesh, Region
from cortico.exceptions import InputError, NotFoundError

TETRA_VERTICES = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
TETRA_FACES = np.array([[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]])


def test_mesh_from_arrays_computes_outward_unit_normals():
    mesh = Mesh.from_arrays(TETRA_VERTICES, TETRA_FACES)
    assert mesh.vertices.dtype == np.float32 and mesh.faces.dtype == np.int32
    np.testing.assert_allclose(np.linalg.norm(mesh.normals, axis=1), 1.0, rtol=1e-6)
    # the apex (0,0,1) normal points away from the centroid
    centroid = TETRA_VERTICES.mean(axis=0)
    assert np.dot(mesh.normals[3], TETRA_VERTICES[3] - centroid) > 0
    np.testing.assert_allclose(mesh.normals[0], -np.ones(3) / np.sqrt(3), atol=1e-6)


def test_mesh_arrays_are_read_only():
    mesh = Mesh.from_arrays(TETRA_VERTICES, TETRA_FACES)
    with pytest.raises(ValueError):
        mesh.vertices[0, 0] = 5.0


@pytest.mark.parametrize(
    "vertices, faces, message",
    [
        (np.zeros((4, 2)), TETRA_FACES, "shape"),
        (TETRA_VERTICES, TETRA_FACES + 1, "outside 0..3"),
    ],
)
def test_mesh_rejects_bad_arrays(vertices, faces, message):
    with pytest.raises(InputError, match=message):
        Mesh.from_arrays(vertices, faces)


def test_region_key_and_validation():
    assert Region("Hippocampus", "lh", "subcortical", (1, 0, 0), 0).key == "lh.Hippocampus"
    assert Region("Brain-Stem", None, "subcortical", (1, 0, 0), 0).key == "Brain-Stem"
    with pytest.raises(InputError, match="hemi"):
        Region("x", "left", "cortical", (1, 0, 0), 0)
    with pytest.raises(InputError, match="kind"):
        Region("x", "lh", "volume", (1, 0, 0), 0)


def test_atlas_lookups_and_errors():
    mesh = Mesh.from_arrays(TETRA_VERTICES, TETRA_FACES)
    regions = [Region("a", "lh", "cortical", (1, 0, 0), 0), Region("b", None, "subcortical", (0, 1, 0), 1)]
    atlas = Atlas(
        "t",
        "Test",
        regions,
        {("pial", "lh"): mesh},
        {"lh": np.array([0, 0, -1, 0], dtype=np.int32)},
        {"b": lambda: mesh},
    )
    assert atlas.hemis == ("lh",) and atlas.surface_kinds == ("pial",)
    assert atlas.region("b") is regions[1]
    assert atlas.subcortical_mesh(regions[1]) is mesh
    assert atlas.regions_of(kind="cortical") == [regions[0]]
    assert atlas.regions_of(hemi=None) == [regions[1]]
    with pytest.raises(NotFoundError, match="'white' surface"):
        atlas.surface("white", "lh")
    with pytest.raises(NotFoundError, match="no region 'c'"):
        atlas.region("c")
    with pytest.raises(InputError, match="index 5"):
        Atlas("t", "T", [Region("a", "lh", "cortical", (1, 0, 0), 5)])
