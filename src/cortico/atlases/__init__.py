"""Atlases: named brain regions with their meshes on the fsaverage template.

Bundled atlases (``load_atlas``, ``list_atlases``): ``dk``, ``destrieux``, ``dkt``
(each with the aseg subcortical structures), ``aseg``, Yeo/PALS atlases, Schaefer,
Glasser and Cole-Anticevic (brought from fs_LR) and the flat ``mouse-dorsal`` map;
human atlases also on the lighter fsaverage6/fsaverage5 meshes (``mesh=``). Any
other atlas can be imported from labels on a template mesh, a surface + labels or
a label volume + label table and stored per owner.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from cortico._utils.lazy import lazy_exports as _lazy_exports

if _TYPE_CHECKING:
    from cortico.atlases._bundled import list_atlases, load_atlas
    from cortico.atlases._demo import demo_values
    from cortico.atlases._import import (
        check_volume_atlas,
        import_surface_atlas,
        import_template_atlas,
        import_volume_atlas,
    )
    from cortico.atlases._model import Atlas, AtlasInfo, Mesh, Region
    from cortico.atlases._names import HEMIS, SIDE_PREFIX, SURFACE_KINDS, column_name
    from cortico.atlases._resolve import Resolution, normalise_name, resolve_names
    from cortico.atlases._store import AtlasStore, StoredAtlas
    from cortico.atlases._templates import IMAGE_NAME_COLUMN, template_columns, template_csv

__all__ = [
    "Atlas",
    "HEMIS",
    "SIDE_PREFIX",
    "AtlasInfo",
    "AtlasStore",
    "IMAGE_NAME_COLUMN",
    "Mesh",
    "Region",
    "Resolution",
    "SURFACE_KINDS",
    "StoredAtlas",
    "check_volume_atlas",
    "column_name",
    "demo_values",
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

# Where each public name lives. The submodules are imported on first use, so that
# `cortico atlas list` and other light callers do not pay for scipy and nibabel.
_HOMES = {
    "list_atlases": "_bundled",
    "load_atlas": "_bundled",
    "demo_values": "_demo",
    "check_volume_atlas": "_import",
    "import_surface_atlas": "_import",
    "import_template_atlas": "_import",
    "import_volume_atlas": "_import",
    "Atlas": "_model",
    "AtlasInfo": "_model",
    "Mesh": "_model",
    "Region": "_model",
    "HEMIS": "_names",
    "SIDE_PREFIX": "_names",
    "SURFACE_KINDS": "_names",
    "column_name": "_names",
    "Resolution": "_resolve",
    "normalise_name": "_resolve",
    "resolve_names": "_resolve",
    "AtlasStore": "_store",
    "StoredAtlas": "_store",
    "IMAGE_NAME_COLUMN": "_templates",
    "template_columns": "_templates",
    "template_csv": "_templates",
}


__getattr__, __dir__ = _lazy_exports(__name__, _HOMES)
