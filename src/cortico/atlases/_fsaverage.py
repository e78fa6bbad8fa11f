"""Builders of template surfaces and cortical labels (FreeSurfer 7.3.2 wheels)."""

import nibabel.freesurfer as nifs
import numpy as np

from cortico.atlases._cache import cached_arrays
from cortico.atlases._fsdata import DEFAULT_MESH, MESHES, fsaverage_file, mesh_file
from cortico.atlases._geometry import vertex_normals
from cortico.atlases._model import Mesh
from cortico.atlases._names import HEMIS

N_VERTICES = MESHES[DEFAULT_MESH][0]

# Names that mark the medial wall (or no label) in FreeSurfer / Caret annotations.
MEDIAL_WALL_NAMES = frozenset(
    {"unknown", "medial_wall", "corpuscallosum", "freesurfer_defined_medial_wall", "medial.wall", "???", "????"}
)


def n_vertices(mesh):
    """Vertices per hemisphere of template ``mesh``."""
    return MESHES[mesh][0]


def _build_surfaces(mesh):
    arrays = {}
    for hemi in HEMIS:
        coords = {}
        for kind in ("pial", "white", "inflated"):
            vertices, faces = nifs.read_geometry(str(mesh_file(mesh, f"surf/{hemi}.{kind}")))
            coords[kind] = vertices
        coords["midthickness"] = (coords["pial"] + coords["white"]) / 2.0
        arrays[f"{hemi}_faces"] = faces.astype(np.int32)
        for kind, vertices in coords.items():
            arrays[f"{hemi}_{kind}_vertices"] = vertices.astype(np.float32)
            arrays[f"{hemi}_{kind}_normals"] = vertex_normals(vertices, faces)
    return arrays


def surface_loader(kind, hemi, mesh=DEFAULT_MESH):
    """A callable returning the ``kind`` surface of ``hemi`` on template ``mesh`` as a Mesh."""

    def load():
        arrays = cached_arrays(f"{mesh}-surfaces", lambda: _build_surfaces(mesh))
        return Mesh(
            arrays[f"{hemi}_{kind}_vertices"],
            arrays[f"{hemi}_faces"],
            arrays[f"{hemi}_{kind}_normals"],
        )

    return load


def is_medial_wall(name):
    """True for the names annotations give to the medial wall or to unlabelled vertices."""
    return name.strip().lower() in MEDIAL_WALL_NAMES


def annotation_labels(annot_name):
    """Per-hemisphere cortical labels of a shipped fsaverage annotation, medial wall removed.

    Only labels that occur on a hemisphere become its regions (PALS annotations share
    one long colour table of which each hemisphere uses a different subset).

    Returns
    -------
    dict
        Per hemisphere ``{hemi}_labels``: int32 per vertex, index into that
        hemisphere's ``{hemi}_names`` or -1; ``{hemi}_names`` (str array, colour
        table order), ``{hemi}_colors`` ((k, 3) float in 0..1), ``{hemi}_ids``
        (annotation values).
    """

    def build():
        arrays = {}
        for hemi in HEMIS:
            labels, ctab, raw_names = nifs.read_annot(str(fsaverage_file(f"label/{hemi}.{annot_name}.annot")))
            all_names = [name.decode() for name in raw_names]
            present = set(np.unique(labels[labels >= 0]).tolist())
            keep = [i for i, name in enumerate(all_names) if i in present and not is_medial_wall(name)]
            remap = np.full(len(all_names) + 1, -1, dtype=np.int32)
            remap[keep] = np.arange(len(keep), dtype=np.int32)
            arrays[f"{hemi}_labels"] = remap[labels]  # label -1 hits the extra -1 slot
            arrays[f"{hemi}_names"] = np.array([all_names[i] for i in keep])
            arrays[f"{hemi}_colors"] = ctab[keep, :3] / 255.0
            arrays[f"{hemi}_ids"] = ctab[keep, 4]
        return arrays

    return cached_arrays(f"annot-{annot_name}", build)
