"""Atlases: named brain regions with their meshes on the fsaverage template.

Bundled atlases (``load_atlas``): ``dk``, ``destrieux``, ``dkt`` (each with the
aseg subcortical structures) and ``aseg``. Any other atlas can be imported from
a surface + labels or a label volume + label table and stored per owner.
"""

from cortico.atlases._bundled import list_atlases, load_atlas
from cortico.atlases._import import (
    check_volume_atlas,
    import_surface_atlas,
    import_template_atlas,
    import_volume_atlas,
)
from cortico.atlases._model import SURFACE_KINDS, Atlas, AtlasInfo, Mesh, Region
from cortico.atlases._resolve import Resolution, normalise_name, resolve_names
from cortico.atlases._store import AtlasStore, StoredAtlas
from cortico.atlases._templates import IMAGE_NAME_COLUMN, template_columns, template_csv

__all__ = [
    "Atlas",
    "AtlasInfo",
    "AtlasStore",
    "IMAGE_NAME_COLUMN",
    "Mesh",
    "Region",
    "Resolution",
    "SURFACE_KINDS",
    "StoredAtlas",
    "check_volume_atlas",
    "import_surface_atlas",
    "import_template_atlas",
    "import_volume_atlas",
    "list_atlases",
    "load_atlas",
    "normalise_name",
    "resolve_names",
    "template_columns",
    "template_csv",
]
