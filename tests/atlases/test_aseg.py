import nibabel as nib
import numpy as np
import pytest

from cortico.atlases._fsdata import fsaverage_file
from cortico.atlases._geometry import edge_use_counts, face_normals, signed_volume


@pytest.fixture(scope="module")
def aseg_data():
    return np.asarray(nib.load(str(fsaverage_file("mri/aseg.mgz"))).dataobj).astype(np.int32)


def test_subcortical_meshes_are_closed_smooth_and_not_shrunk(dk, aseg_data):
    pial = dk.surface("pial", "lh").vertices
    for region in dk.regions_of("subcortical"):
        mesh = dk.subcortical_mesh(region)
        assert np.isfinite(mesh.vertices).all()
        assert 200 <= mesh.n_faces <= 45_000, region.key
        _, counts = edge_use_counts(mesh.faces)
        assert (counts == 2).all(), f"{region.key} is not closed"
        assert (np.linalg.norm(face_normals(mesh.vertices, mesh.faces), axis=1) > 1e-8).all()
        np.testing.assert_allclose(np.linalg.norm(mesh.normals, axis=1), 1.0, atol=1e-4)
        voxels = np.sum(aseg_data == region.label_id)  # 1 mm voxels
        volume = signed_volume(mesh.vertices, mesh.faces)
        assert 0.85 * voxels < volume < 1.1 * voxels, (region.key, voxels, volume)
        # consistent winding: every directed edge occurs once (its twin runs the other way)
        directed = np.concatenate([mesh.faces[:, [0, 1]], mesh.faces[:, [1, 2]], mesh.faces[:, [2, 0]]])
        assert len(np.unique(directed, axis=0)) == len(directed), region.key
        # positive enclosed volume (above) + consistent winding = outward faces; normals agree
        agreement = np.einsum("ij,ij->i", face_normals(mesh.vertices, mesh.faces), mesh.normals[mesh.faces].sum(axis=1))
        assert np.mean(agreement > 0) > 0.99, region.key
        assert (mesh.vertices.min(axis=0) > pial.min(axis=0) - 60).all()


def test_subcortical_sides(dk):
    assert dk.subcortical_mesh("lh.Hippocampus").vertices[:, 0].mean() < -15
    assert dk.subcortical_mesh("rh.Hippocampus").vertices[:, 0].mean() > 15
    assert abs(dk.subcortical_mesh("Brain-Stem").vertices[:, 0].mean()) < 5
