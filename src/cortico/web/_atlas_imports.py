"""Atlas imports seen from the web: uploaded files -> a checked, queued ``atlas-import`` job.

Shared by ``POST /api/v1/atlases/`` and the import page. Uploads are stored
under fixed names in a new job folder (only their extension comes from the user,
from an allow-list); the files are read and checked before the job is queued, so a
bad file is a 4xx with a precise message and nothing is stored.
"""

import shutil

from flask import current_app

from cortico.db.models import new_job_id
from cortico.exceptions import ConflictError, InputError, LimitExceededError
from cortico.jobs import submit_job
from cortico.jobs.kinds.atlas_import import KIND, MESHES, build_atlas, input_folder, validate
from cortico.web._paint_jobs import store

__all__ = ["FORM_FIELDS", "create_import_job", "max_upload_bytes"]

#: upload field -> (role, allowed extensions, longest first)
FORM_FIELDS = {
    "lh_labels": ("lh", (".label.gii", ".annot", ".gii", ".npy", ".mgh", ".mgz", ".txt", ".csv")),
    "rh_labels": ("rh", (".label.gii", ".annot", ".gii", ".npy", ".mgh", ".mgz", ".txt", ".csv")),
    "volume": ("volume", (".nii.gz", ".nii", ".mgz", ".mgh", ".nrrd")),
    "table": ("table", (".csv", ".tsv", ".txt", ".ctab", ".lut")),
}
_PREFIX = {"lh": "lh-labels", "rh": "rh-labels", "volume": "volume", "table": "table"}


def max_upload_bytes():
    """Largest accepted file of an import (``ATLAS_MAX_UPLOAD_BYTES``)."""
    return int(current_app.config.get("ATLAS_MAX_UPLOAD_BYTES") or 100 * 1024 * 1024)


def _extension(field, file_name):
    role, allowed = FORM_FIELDS[field]
    lower = str(file_name).lower()
    for extension in allowed:
        if lower.endswith(extension):
            return extension
    raise InputError(
        f"The file of '{field}' ({str(file_name)[-80:]!r}) has an unsupported type; expected one of "
        + ", ".join(allowed)
        + "."
    )


def _uploads(files):
    chosen = {}
    for field in FORM_FIELDS:
        storage = files.get(field)
        if storage is not None and storage.filename:
            chosen[field] = storage
    unknown = sorted(set(files) - set(FORM_FIELDS))
    if unknown:
        raise InputError(f"Unknown upload field(s) {', '.join(unknown)}; expected {', '.join(FORM_FIELDS)}.")
    return chosen


def create_import_job(owner_id, form, files):
    """Check an import request, store its files in a new job folder and queue the job.

    Parameters
    ----------
    owner_id : int
    form : mapping
        ``name`` (required), ``title``, ``mesh`` (template of label files:
        fsaverage, fsaverage6, fsaverage5).
    files : mapping of field -> FileStorage
        ``lh_labels`` and/or ``rh_labels`` (+ optional ``table``), or ``volume`` + ``table``.

    Returns
    -------
    str
        The job id.

    Raises
    ------
    InputError, LimitExceededError, ConflictError
        With a message naming the field or file; nothing is stored then.
    """
    uploads = _uploads(files)
    name = str(form.get("name") or "").strip()
    if not name:
        raise InputError("Give the atlas a name (field 'name').")
    if any(entry.name.lower() == name.lower() for entry in store().list(str(owner_id))):
        raise ConflictError(f"You already have an atlas named {name!r}; choose another name.")
    has_labels = {"lh_labels", "rh_labels"} & set(uploads)
    if "volume" in uploads and has_labels:
        raise InputError("Upload either per-hemisphere label files or a label volume, not both.")
    if "volume" not in uploads and not has_labels:
        raise InputError(
            "Upload 'lh_labels' and/or 'rh_labels' (.annot, .label.gii, or numbers + 'table'), "
            "or a label 'volume' with its 'table'."
        )
    if "volume" in uploads and "table" not in uploads:
        raise InputError("A label volume needs its lookup table ('table': CSV id,name[,r,g,b] or a FreeSurfer LUT).")
    mesh = str(form.get("mesh") or "fsaverage").strip()
    if mesh not in MESHES:
        raise InputError(f"'mesh' must be one of {', '.join(MESHES)}, got {mesh!r}.")
    names = {
        FORM_FIELDS[field][0]: _PREFIX[FORM_FIELDS[field][0]] + _extension(field, s.filename)
        for field, s in uploads.items()
    }
    params = validate(
        {
            "name": name,
            "title": str(form.get("title") or "").strip() or name,
            "source": "volume" if "volume" in uploads else "template",
            "mesh": mesh,
            "files": names,
        }
    )
    limit = max_upload_bytes()
    celery = current_app.extensions["celery"]
    job_id = new_job_id()
    folder = celery.cortico.job_folder(job_id)
    try:
        target = input_folder(folder)
        target.mkdir(parents=True, exist_ok=True)
        for field, storage in uploads.items():
            data = storage.stream.read(limit + 1)
            if len(data) > limit:
                raise LimitExceededError(
                    f"The file of '{field}' is larger than {limit // (1024 * 1024)} MB, the largest accepted here."
                )
            (target / names[FORM_FIELDS[field][0]]).write_bytes(data)
        try:
            _check_files(params, target)
        except (InputError, LimitExceededError) as exc:
            raise _with_user_names(exc, uploads, names) from None
        submit_job(celery, owner_id, KIND, params, job_id=job_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job_id


def _with_user_names(exc, uploads, names):
    """The same error, naming the user's files instead of the stored names."""
    message = exc.message
    for field, storage in uploads.items():
        shown = "".join(ch for ch in str(storage.filename) if ch.isprintable())[-80:]
        message = message.replace(names[FORM_FIELDS[field][0]], f"{shown} ({field})")
    return type(exc)(message, problems=[message])


def _check_files(params, folder):
    """Read every file now so that a bad one is reported before anything is queued."""
    if params["source"] == "template":
        build_atlas(params, folder)  # label files only: fast (no meshing)
        return
    from cortico.atlases import check_volume_atlas

    check_volume_atlas(folder / params["files"]["volume"], folder / params["files"]["table"])
