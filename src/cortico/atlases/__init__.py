"""Atlases: named brain regions with their meshes on the fsaverage template.

Bundled atlases (``load_atlas``): ``dk``, ``destrieux``, ``dkt`` (each with the
aseg subcortical structures) and ``aseg``. Any other atlas can be imported from
a surface + labels or a label volume + label table and stored per owner.
"""

from cortico.atlases._bundled import list_atlases, load_atlas
from cortico.atlases._model import SURFACE_KINDS, Atlas, AtlasInfo, Mesh, Region

__all__ = [
    "SURFACE_KINDS",
    "Atlas",
    "AtlasInfo",
    "Mesh",
    "Region",
    "list_atlases",
    "load_atlas",
]
