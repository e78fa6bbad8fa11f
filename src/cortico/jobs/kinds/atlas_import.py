"""The ``atlas-import`` job kind: uploaded files -> an atlas stored for its owner.

Parameters stored with the job (JSON)::

    {"name": "my atlas", "title": "...",
     "source": "template",                      # labels on a bundled template mesh
     "mesh": "fsaverage",                       # fsaverage, fsaverage6 or fsaverage5
     "files": {"lh": "lh-labels.annot", "rh": "rh-labels.annot", "table": "table.csv"}}

or ``"source": "volume"`` with ``"files": {"volume": "volume.nii.gz", "table": "table.csv"}``.
File names are fixed by the web layer (an allowed extension, never user text) and
live in the job's ``input/`` folder. The atlas is saved in the atlas store under
the job's owner; the result names it ``user:<name>`` for painting.
"""

import re

from cortico.exceptions import InputError
from cortico.jobs._registry import JobKind, register_kind

__all__ = ["KIND", "FILE_ROLES", "MESHES", "input_folder", "validate", "run"]

KIND = "atlas-import"
MESHES = ("fsaverage", "fsaverage6", "fsaverage5")
#: role -> allowed file name pattern inside input/
FILE_ROLES = {
    "lh": re.compile(r"lh-labels\.(annot|label\.gii|gii|npy|mgh|mgz|txt|csv)"),
    "rh": re.compile(r"rh-labels\.(annot|label\.gii|gii|npy|mgh|mgz|txt|csv)"),
    "table": re.compile(r"table\.(csv|tsv|txt|ctab|lut)"),
    "volume": re.compile(r"volume\.(nii|nii\.gz|mgz|mgh|nrrd)"),
}


def input_folder(job_folder):
    """Where an import job's uploaded files live."""
    from pathlib import Path

    return Path(job_folder) / "input"


def validate(params):
    """Check the parameters of an import job (the files were checked by the web layer)."""
    if not isinstance(params, dict):
        raise InputError("Atlas import parameters must be an object.")
    unknown = sorted(set(params) - {"name", "title", "source", "mesh", "files"})
    if unknown:
        raise InputError(f"Unknown atlas import parameter(s): {', '.join(unknown)}.")
    name = str(params.get("name") or "").strip()
    if not 1 <= len(name) <= 100:
        raise InputError("The atlas name must be 1 to 100 characters.")
    source = params.get("source")
    files = params.get("files")
    if source not in ("template", "volume") or not isinstance(files, dict):
        raise InputError("'source' must be 'template' or 'volume' and 'files' an object of uploaded files.")
    for role, file_name in files.items():
        pattern = FILE_ROLES.get(role)
        if pattern is None or not isinstance(file_name, str) or not pattern.fullmatch(file_name):
            raise InputError(f"Unexpected uploaded file {role!r}.")
    if source == "template":
        if params.get("mesh", "fsaverage") not in MESHES:
            raise InputError(f"'mesh' must be one of {', '.join(MESHES)}.")
        if not {"lh", "rh"} & set(files) or "volume" in files:
            raise InputError("A surface import needs labels for 'lh' and/or 'rh'.")
    elif set(files) != {"volume", "table"}:
        raise InputError("A volume import needs a 'volume' and a label 'table'.")
    return {
        "name": name,
        "title": str(params.get("title") or name)[:200],
        "source": source,
        "mesh": params.get("mesh", "fsaverage") if source == "template" else None,
        "files": dict(files),
    }


def build_atlas(params, folder, progress=None):
    """The Atlas described by checked ``params`` from the files in ``folder`` (the input folder)."""
    from cortico.atlases import import_template_atlas, import_volume_atlas

    files = {role: folder / name for role, name in params["files"].items()}
    if params["source"] == "template":
        labels = {hemi: files[hemi] for hemi in ("lh", "rh") if hemi in files}
        return import_template_atlas(
            params["name"],
            labels,
            mesh=params["mesh"],
            names_table=files.get("table"),
            title=params["title"],
            progress=progress,
        )
    return import_volume_atlas(
        params["name"], files["volume"], files["table"], title=params["title"], progress=progress
    )


def _owner(context):
    from cortico.db import Job

    with context.runtime.db.session() as session:
        job = session.get(Job, context.job_id)
        return job.owner_id if job is not None else None


def run(context, params):
    """Build the atlas (meshing a volume region by region, with progress) and store it."""
    from cortico.paint import IMPORTED_PREFIX, atlas_store

    context.progress(0, 1, "reading the files", force=True)

    def progress(done, total):
        what = "region" if params["source"] == "volume" else "hemisphere"
        context.progress(done, total + 1, f"{what} {done} of {total}")

    atlas = build_atlas(params, input_folder(context.folder), progress)
    context.progress(0.99, 1, "storing the atlas", force=True)
    owner = _owner(context)
    atlas_id = atlas_store(context.runtime.settings).save(str(owner), atlas)
    cortical = sum(1 for region in atlas.regions if region.kind == "cortical")
    return {
        "atlas": IMPORTED_PREFIX + atlas.name,
        "atlas_id": atlas_id,
        "title": atlas.title,
        "cortical_regions": cortical,
        "subcortical_regions": len(atlas.regions) - cortical,
        "space": atlas.space,
    }


register_kind(JobKind(KIND, run, validate, "Import an atlas (labels on a template mesh, or a label volume + table)."))
