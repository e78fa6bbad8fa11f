"""Depth and alignment jobs on this server's image store, shared by the API and the page."""

from pathlib import Path

from flask import current_app, url_for

from cortico.align import OUTPUT_FILES, Grid, check_geometry, check_same_grid, parse_landmark_pairs, parse_matrix
from cortico.db import JobState
from cortico.exceptions import ConflictError, CorticoError, NotFoundError
from cortico.jobs import submit_job
from cortico.jobs.image_services import LocalImageService
from cortico.jobs.kinds.align import output_path
from cortico.web._jobs_view import job_as_dict
from cortico.web._uploads import image_store
from cortico.web.image_service import own_base_url

__all__ = [
    "check_alignment_geometry",
    "job_links",
    "output_file",
    "output_files",
    "submit_on_own_store",
    "template_grid",
]

#: What each output of an alignment is, for listings.
OUTPUT_DESCRIPTIONS = {
    "resampled_image": "The incoming image resampled on its own grid (display it with your matrix).",
    "affine": "The incoming -> template affine, ITK format (LPS).",
    "forward_warp": "Forward displacement field, ITK format, on the incoming grid.",
    "inverse_warp": "Inverse displacement field, ITK format, on the incoming grid.",
    "composite": "The whole incoming -> template transform as one ITK composite (HDF5).",
    "report": "Quality report: landmark residuals and depth differences before/after, timings (JSON).",
}


def submit_on_own_store(owner_id, kind, params):
    """Queue a ``depth`` or ``align`` job reading and writing ``owner_id``'s volumes here.

    An alignment is first checked against the stored volumes' metadata
    (:func:`check_alignment_geometry`): InputError (422) if it cannot be right.
    """
    params = {**params, "image_service_base_url": own_base_url(), "image_service_local": True}
    if kind == "align":
        check_alignment_geometry(LocalImageService(image_store(), owner_id), params)
    return submit_job(current_app.extensions["celery"], owner_id, kind, params)


def check_alignment_geometry(service, params):
    """Refuse an alignment whose geometry is wrong, from the volumes' metadata only.

    The incoming image and its depth map must share one grid; the landmarks must
    lie inside the incoming volume and the template, and the matrix must place at
    least half of the patch inside the template (see :mod:`cortico.align._geometry`).
    Volumes that are missing or have no usable ``NiftiExtra`` are left to the job.

    Raises
    ------
    InputError
        Naming each problem.
    """
    entries = {key: service.info(params[key]) for key in ("image_name", "depth_map_name")}
    grids = {key: Grid.from_nifti_extra((entry or {}).get("extra")) for key, entry in entries.items()}
    matrix = parse_matrix(params["transformation_matrix"])
    landmarks = parse_landmark_pairs(params.get("landmark_pairs"))
    image, depth = grids["image_name"], grids["depth_map_name"]
    if image is not None and depth is not None:
        check_same_grid(
            image, depth, f"incoming image '{params['image_name']}'", f"depth map '{params['depth_map_name']}'"
        )
    incoming = image or depth
    if incoming is not None:
        space = params.get("incoming_space", "neuroglancer")
        check_geometry(incoming, matrix, landmarks, space, template_grid(current_app.config))


def template_grid(settings):
    """The template depth map's grid, from its header (None when it cannot be had here)."""
    configured = settings.get("TEMPLATE_DEPTH_PATH")
    if configured:
        path = Path(configured)
    else:
        from cortico.depth import fsaverage_ribbon_path

        try:
            path = fsaverage_ribbon_path()  # fsaverage's depth map is computed on the ribbon's grid
        except CorticoError:
            return None
    import nibabel as nib

    try:
        return Grid.from_header(path)
    except (OSError, ValueError, nib.filebasedimages.ImageFileError):
        return None


def job_links(job, files_endpoint):
    """The job's public view plus the URL of its files (for succeeded alignments)."""
    body = job_as_dict(job)
    if job.kind == "align":
        body["links"]["files"] = url_for(files_endpoint, job_id=job.id)
    return body


def output_files(job, file_endpoint):
    """The outputs of a succeeded alignment job: role, file name, size, description, URL."""
    folder = _outputs_ready(job)
    files = []
    for role, name in OUTPUT_FILES.items():
        path = output_path(folder, role)
        if path.is_file():
            files.append(
                {
                    "role": role,
                    "name": name,
                    "size": path.stat().st_size,
                    "description": OUTPUT_DESCRIPTIONS[role],
                    "url": url_for(file_endpoint, job_id=job.id, role=role),
                }
            )
    return files


def output_file(job, role):
    """Path of one output of a succeeded alignment job."""
    if role not in OUTPUT_FILES:
        raise NotFoundError(f"No output {role!r}; the outputs are {', '.join(OUTPUT_FILES)}.")
    path = output_path(_outputs_ready(job), role)
    if not path.is_file():
        raise NotFoundError(f"The output {role!r} of job {job.id} is gone (expired?).")
    return path


def _outputs_ready(job):
    if job.kind != "align":
        raise NotFoundError(f"Job {job.id} is not an alignment job.")
    if job.state != JobState.SUCCEEDED:
        raise ConflictError(f"Job {job.id} has no outputs: it is {job.state}.")
    return current_app.extensions["celery"].cortico.job_folder(job.id)
