"""Builders of fsaverage surfaces and cortical labels (FreeSurfer 7.3.2 wheels)."""

import nibabel.freesurfer as nifs
import numpy as np

from cortico.atlases._cache import cached_arrays
from cortico.atlases._fsdata import fsaverage_file
from cortico.atlases._geometry import vertex_normals
from cortico.atlases._model import Mesh
from cortico.atlases._names import HEMIS

N_VERTICES = 163_842

# Names that mark the medial wall in FreeSurfer annotations.
MEDIAL_WALL_NAMES = frozenset({"unknown", "medial_wall", "corpuscallosum"})


def _build_surfaces():
    arrays = {}
    for hemi in HEMIS:
        coords = {}
        for kind in ("pial", "white", "inflated"):
            vertices, faces = nifs.read_geometry(str(fsaverage_file(f"surf/{hemi}.{kind}")))
            coords[kind] = vertices
        coords["midthickness"] = (coords["pial"] + coords["white"]) / 2.0
        arrays[f"{hemi}_faces"] = faces.astype(np.int32)
        for kind, vertices in coords.items():
            arrays[f"{hemi}_{kind}_vertices"] = vertices.astype(np.float32)
            arrays[f"{hemi}_{kind}_normals"] = vertex_normals(vertices, faces)
    return arrays


def surface_loader(kind, hemi):
    """A callable returning the fsaverage ``kind`` surface of ``hemi`` as a Mesh."""

    def load():
        arrays = cached_arrays("fsaverage-surfaces", _build_surfaces)
        return Mesh(
            arrays[f"{hemi}_{kind}_vertices"],
            arrays[f"{hemi}_faces"],
            arrays[f"{hemi}_{kind}_normals"],
        )

    return load


def annotation_labels(annot_name):
    """Per-hemisphere cortical labels of a shipped annotation, medial wall removed.

    Returns
    -------
    dict
        ``{hemi}_labels``: int32 per vertex, index into ``names`` or -1;
        ``names``: region names (str array, annotation order);
        ``colors``: (k, 3) float in 0..1; ``ids``: annotation values.
    """

    def build():
        names, colors, ids, per_hemi = None, None, None, {}
        for hemi in HEMIS:
            labels, ctab, raw_names = nifs.read_annot(str(fsaverage_file(f"label/{hemi}.{annot_name}.annot")))
            all_names = [name.decode() for name in raw_names]
            keep = [i for i, name in enumerate(all_names) if name.lower() not in MEDIAL_WALL_NAMES]
            if names is None:
                names = [all_names[i] for i in keep]
                colors = ctab[keep, :3] / 255.0
                ids = ctab[keep, 4]
            elif names != [all_names[i] for i in keep]:
                raise RuntimeError(f"{annot_name}: hemispheres have different label tables")
            remap = np.full(len(all_names) + 1, -1, dtype=np.int32)
            remap[keep] = np.arange(len(keep), dtype=np.int32)
            per_hemi[f"{hemi}_labels"] = remap[labels]  # label -1 hits the extra -1 slot
        return {**per_hemi, "names": np.array(names), "colors": colors, "ids": ids}

    return cached_arrays(f"annot-{annot_name}", build)
