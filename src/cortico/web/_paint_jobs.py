"""Paint jobs seen from the web: creating them from a checked request, their files.

Shared by ``/api/v1/paint`` and the painting pages so both say the same thing.
"""

import shutil

from flask import current_app, jsonify

from cortico.db.models import new_job_id
from cortico.exceptions import ConflictError, NotFoundError
from cortico.jobs import submit_job
from cortico.jobs.kinds._paint_inputs import INPUT_CSV, PaintLimits, atlas_store, check_paint_request
from cortico.jobs.kinds.paint import KIND, input_path, results_folder

__all__ = [
    "create_paint_job",
    "limits",
    "problems_response",
    "read_upload",
    "result_file",
    "result_files",
    "store",
    "zip_download_name",
]


def limits():
    """The painting limits configured for this app."""
    return PaintLimits.from_settings(current_app.config)


def store():
    """The store of imported atlases of this app."""
    return atlas_store(current_app.config)


def read_upload(storage):
    """Bytes of an uploaded file, reading at most one byte past the upload limit.

    Returns
    -------
    bytes or None
        None when no file was chosen.
    """
    if storage is None or not storage.filename:
        return None
    return storage.stream.read(limits().max_upload_bytes + 1)


def create_paint_job(owner_id, table_bytes, settings_data, input_name):
    """Check everything, store the table in a new job folder and queue the job.

    Returns
    -------
    (str, PaintRequest)
        The job id and the checked request (for its warnings).

    Raises
    ------
    InputError or LimitExceededError
        With every problem in ``problems`` and ``details``; nothing is stored.
    """
    request = check_paint_request(table_bytes, settings_data, limits(), store(), owner_id)
    request.raise_for_problems()
    celery = current_app.extensions["celery"]
    job_id = new_job_id()
    folder = celery.cortico.job_folder(job_id)
    try:
        path = input_path(folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(table_bytes)
        params = {"settings": settings_data, "input_file": INPUT_CSV, "input_name": _display_name(input_name)}
        submit_job(celery, owner_id, KIND, params, job_id=job_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job_id, request


def _display_name(name):
    text = "".join(ch for ch in str(name or INPUT_CSV) if ch.isprintable()).strip()
    return text[-120:] or INPUT_CSV


def problems_response(exc):
    """JSON error body ``{code, status, message, errors, details}`` of a checked request."""
    from http import HTTPStatus

    from cortico.web.errors import status_for

    status = status_for(exc)
    body = {"code": status, "status": HTTPStatus(status).phrase, "message": exc.message, "errors": list(exc.problems)}
    details = getattr(exc, "details", None)
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def _succeeded_result(job):
    if job.state != "succeeded" or not job.result:
        if job.state in ("queued", "running"):
            raise ConflictError(
                f"Job {job.id} is {job.state} ({job.progress_message}); its files are listed once it has succeeded."
            )
        raise ConflictError(
            f"Job {job.id} {job.state}; it has no result files." + (f" Reason: {job.error}" if job.error else "")
        )
    if job.kind != KIND:
        raise NotFoundError(f"Job {job.id} is not a painting job.")
    return job.result


def result_files(job):
    """Every downloadable file of a succeeded paint job, with what it is.

    Returns
    -------
    list of dict
        ``name`` (relative to the results folder), ``kind`` (image, thumbnail,
        panel, colorbar, movie, settings, table, zip), ``row`` (image name or None),
        ``view`` and ``caption`` (images), ``size`` in bytes.
    """
    result = _succeeded_result(job)
    folder = results_folder(current_app.extensions["celery"].cortico.job_folder(job.id))
    entries = []

    def add(name, kind, row=None, view=None, caption=None):
        path = folder / name
        entries.append(
            {
                "name": name,
                "kind": kind,
                "row": row,
                "view": view,
                "caption": caption,
                "size": path.stat().st_size if path.exists() else None,
            }
        )

    for row in result["rows"]:
        for image in row["images"]:
            add(image["file"], "image", row["name"], image["view"], image["caption"])
            add(image["thumb"], "thumbnail", row["name"], image["view"], image["caption"])
        for panel in row["panels"]:
            add(panel, "panel", row["name"])
    for name in result["colorbars"]:
        add(name, "colorbar")
    for name in result["movies"]:
        add(name, "movie")
    add(result["settings_file"], "settings")
    add(result["input_file"], "table")
    add(result["zip"], "zip")
    return entries


def result_file(job, name):
    """Path of result file ``name`` of ``job``; only names the result lists are served."""
    allowed = {entry["name"] for entry in result_files(job)}
    if name not in allowed:
        raise NotFoundError(f"Job {job.id} has no file {name!r}.")
    path = results_folder(current_app.extensions["celery"].cortico.job_folder(job.id)) / name
    if not path.is_file():
        raise NotFoundError(f"The file {name!r} of job {job.id} is no longer stored (results expire).")
    return path


def zip_download_name(job):
    """File name offered for the zip download."""
    return f"cortico-paint-{job.id[:8]}.zip"
