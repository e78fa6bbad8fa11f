"""Paint jobs seen from the web: creating them from a checked request, their files.

Shared by ``/api/v1/paint`` and the painting pages so both say the same thing.
"""

import shutil

from flask import current_app

from cortico.db import JobState
from cortico.db.models import new_job_id
from cortico.exceptions import ConflictError, NotFoundError
from cortico.jobs import submit_job
from cortico.jobs.kinds.paint import KIND, input_folder, results_folder
from cortico.paint import INPUT_CSV, PaintLimits, atlas_store, check_paint_request, result_files

__all__ = [
    "check_request",
    "create_paint_job",
    "job_files",
    "limits",
    "read_upload",
    "result_file",
    "store",
    "zip_download_name",
]


def limits():
    """The painting limits configured for this app."""
    return PaintLimits.from_settings(current_app.config)


def store():
    """The store of imported atlases of this app."""
    return atlas_store(current_app.config)


def check_request(table_bytes, settings_data, owner_id):
    """Check a painting request with this app's limits and ``owner_id``'s atlases."""
    return check_paint_request(table_bytes, settings_data, limits(), store(), owner_id)


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


def create_paint_job(owner_id, request, input_name):
    """Save a checked request in a new job folder and queue the job.

    Parameters
    ----------
    owner_id : int
    request : cortico.paint.PaintRequest
        From :func:`check_request` (the table is not parsed again).
    input_name : str
        The user's file name, for display only.

    Returns
    -------
    str
        The job id.

    Raises
    ------
    InputError or LimitExceededError
        With every problem of the request (``details``); nothing is stored.
    """
    request.raise_for_problems()
    celery = current_app.extensions["celery"]
    job_id = new_job_id()
    folder = celery.cortico.job_folder(job_id)
    try:
        request.save(input_folder(folder))
        settings = request.settings.to_dict()
        params = {"settings": settings, "input_file": INPUT_CSV, "input_name": _display_name(input_name)}
        submit_job(celery, owner_id, KIND, params, job_id=job_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job_id


def _display_name(name):
    text = "".join(ch for ch in str(name or INPUT_CSV) if ch.isprintable()).strip()
    return text[-120:] or INPUT_CSV


def _succeeded_result(job):
    if job.state != JobState.SUCCEEDED or not job.result:
        if not JobState(job.state).finished:
            raise ConflictError(
                f"Job {job.id} is {job.state} ({job.progress_message}); its files are listed once it has succeeded."
            )
        raise ConflictError(
            f"Job {job.id} {job.state}; it has no result files." + (f" Reason: {job.error}" if job.error else "")
        )
    if job.kind != KIND:
        raise NotFoundError(f"Job {job.id} is not a painting job.")
    return job.result


def job_files(job):
    """Every downloadable file of a succeeded paint job, with what it is and its size.

    Returns
    -------
    list of dict
        :func:`cortico.paint.result_files` entries with ``size`` in bytes (None when gone).
    """
    result = _succeeded_result(job)
    folder = results_folder(current_app.extensions["celery"].cortico.job_folder(job.id))
    entries = result_files(result)
    for entry in entries:
        path = folder / entry["name"]
        entry["size"] = path.stat().st_size if path.is_file() else None
    return entries


def result_file(job, name):
    """Path of result file ``name`` of ``job``; only names the result lists are served."""
    allowed = {entry["name"] for entry in result_files(_succeeded_result(job))}
    if name not in allowed:
        raise NotFoundError(f"Job {job.id} has no file {name!r}.")
    path = results_folder(current_app.extensions["celery"].cortico.job_folder(job.id)) / name
    if not path.is_file():
        raise NotFoundError(f"The file {name!r} of job {job.id} is no longer stored (results expire).")
    return path


def zip_download_name(job):
    """File name offered for the zip download."""
    return f"cortico-paint-{job.id[:8]}.zip"
