"""Subcortical structures of fsaverage's ``mri/aseg.mgz`` as closed meshes."""

import functools
from dataclasses import dataclass

import nibabel as nib
import numpy as np

from cortico.atlases._cache import cached_arrays
from cortico.atlases._fsdata import data_file, fsaverage_file
from cortico.atlases._lut import read_label_table
from cortico.atlases._meshing import mask_to_mesh
from cortico.atlases._model import Mesh
from cortico.atlases._names import HEMIS, column_name

# BrainPainter's 12 structures per hemisphere, in its template order.
PAIRED_STRUCTURES = (
    "Accumbens-area",
    "Caudate",
    "Cerebellum-White-Matter",
    "Inf-Lat-Vent",
    "Pallidum",
    "Thalamus",
    "Amygdala",
    "Cerebellum-Cortex",
    "Hippocampus",
    "Lateral-Ventricle",
    "Putamen",
    "VentralDC",
)
MIDLINE_STRUCTURES = ("Brain-Stem", "3rd-Ventricle", "4th-Ventricle")


@dataclass(frozen=True)
class AsegStructure:
    """A structure of aseg: canonical name, hemisphere, FreeSurfer id and colour."""

    name: str
    hemi: str | None
    label_id: int
    color: tuple


@functools.cache
def freesurfer_lut():
    """FreeSurfer 7.3.2's ``FreeSurferColorLUT.txt`` as id -> LabelEntry."""
    return read_label_table(data_file("FreeSurferColorLUT.txt"))


@functools.cache
def aseg_structures():
    """The bundled subcortical structures, lh then rh then midline."""
    by_name = {entry.name: entry for entry in freesurfer_lut().values()}
    structures = []
    for hemi in HEMIS:
        for name in PAIRED_STRUCTURES:
            entry = by_name[column_name(name, hemi)]
            structures.append(AsegStructure(name, hemi, entry.id, entry.color))
    for name in MIDLINE_STRUCTURES:
        entry = by_name[name]
        structures.append(AsegStructure(name, None, entry.id, entry.color))
    return tuple(structures)


def _build_meshes():
    image = nib.load(str(fsaverage_file("mri/aseg.mgz")))
    data = np.asarray(image.dataobj).astype(np.int32)
    # surface RAS ("tkr"), the space of the fsaverage surfaces
    affine = image.header.get_vox2ras_tkr()
    arrays = {}
    for structure in aseg_structures():
        mesh = mask_to_mesh(data == structure.label_id, affine)
        arrays[f"{structure.label_id}_vertices"] = mesh.vertices
        arrays[f"{structure.label_id}_faces"] = mesh.faces
        arrays[f"{structure.label_id}_normals"] = mesh.normals
    return arrays


def mesh_loader(label_id):
    """A callable returning the cached mesh of aseg label ``label_id``."""

    def load():
        arrays = cached_arrays("aseg-meshes", _build_meshes)
        return Mesh(arrays[f"{label_id}_vertices"], arrays[f"{label_id}_faces"], arrays[f"{label_id}_normals"])

    return load
