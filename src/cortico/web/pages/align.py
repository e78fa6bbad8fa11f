"""The cortical patch alignment pages: volumes, depth and alignment jobs, a NiiVue viewer.

Everything is owned by the browser's owner (its token user, or an anonymous
per-session user); another owner's volumes and jobs answer 404. Forms are plain
HTML posts with a CSRF token; the job page polls a small JSON status route.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)

from cortico._version import __version__
from cortico.align import DEFAULT_PRESET, INCOMING_SPACES, PRESETS, landmark_pairs_from_table
from cortico.db import Image, Job, JobState
from cortico.exceptions import ConflictError, CorticoError, InputError, NotFoundError
from cortico.jobs import cancel_job, delete_finished_job
from cortico.web._align_jobs import (
    OUTPUT_DESCRIPTIONS,
    output_file,
    output_files,
    submit_on_own_store,
)
from cortico.web._input_guard import load_json_text
from cortico.web._jobs_view import job_as_dict, list_owned_jobs
from cortico.web._uploads import image_store, store_uploaded_volume
from cortico.web.auth import owner_for_new_work, session_owner_id
from cortico.web.image_service import download_response

bp = Blueprint("align", __name__, url_prefix="/align")

_KINDS = ("depth", "align")
_IDENTITY = "[[1, 0, 0, 0],\n [0, 1, 0, 0],\n [0, 0, 1, 0],\n [0, 0, 0, 1]]"


def _owned_job(job_id):
    with current_app.extensions["cortico.db"].session() as session:
        job = session.get(Job, job_id) if len(job_id) <= 64 else None
    if job is None or job.kind not in _KINDS or job.owner_id != session_owner_id(create=False):
        abort(404)
    return job


def _visible_image(image_id):
    owner = session_owner_id(create=False)
    try:
        return image_store().get(owner, image_id)
    except CorticoError:
        abort(404)


def _render_index(form=None, error=None, status=200, problems=()):
    owner = session_owner_id(create=False)  # looking creates no owner
    images = image_store().list_visible(owner)
    depth_maps = [image for image in images if _is_depth_map(image)]
    return render_template(
        "align.html",
        images=images,
        depth_maps=depth_maps,
        patches=[image for image in images if not image.segmentation and image not in depth_maps],
        problems=list(problems),
        owner=owner,
        jobs=list_owned_jobs(owner, limit=20, kinds=_KINDS),
        form=form or {},
        error=error,
        presets=sorted(PRESETS),
        default_preset=DEFAULT_PRESET,
        spaces=INCOMING_SPACES,
        identity=_IDENTITY,
        version=__version__,
    ), status


def _is_depth_map(image):
    """A volume made by a depth job, or uploaded with "depth" in its name (a depth map made elsewhere)."""
    if image.segmentation:
        return False
    if "depth" in image.name.lower():
        return True
    if image.source_job_id is None:
        return False
    with current_app.extensions["cortico.db"].session() as session:
        job = session.get(Job, image.source_job_id)
        return job is not None and job.kind == "depth"


@bp.get("/")
def index():
    """Volumes, the depth and alignment forms and recent jobs."""
    return _render_index()


@bp.post("/volumes")
def upload_volume():
    """Store an uploaded NIfTI volume for this browser's owner."""
    try:
        image = store_uploaded_volume(owner_for_new_work(), segmentation_header=None)
    except CorticoError as exc:
        from cortico.web.errors import status_for

        return _render_index(error=f"The volume was not stored: {exc.message}", status=status_for(exc))
    flash(f"Stored {image.name}.")
    return redirect(url_for("align.index"), code=303)


@bp.post("/volumes/<image_id>/delete")
def delete_volume(image_id):
    """Delete one of this owner's volumes."""
    try:
        image = image_store().delete(session_owner_id(create=False), image_id)
    except CorticoError:
        abort(404)
    flash(f"Deleted {image.name}.")
    return redirect(url_for("align.index"), code=303)


@bp.get("/volumes/<image_id>")
def volume_page(image_id):
    """A volume's metadata and the NiiVue viewer."""
    image = _visible_image(image_id)
    return render_template(
        "align_volume.html",
        image=image,
        version=__version__,
        layers=[_layer(image, "gray" if not image.segmentation else "warm")],
    )


@bp.get("/volumes/<image_id>/<file_name>")
def volume_file(image_id, file_name):
    """The volume as ``volume.nii.gz`` (for NiiVue) or as uploaded (any other name)."""
    image = _visible_image(image_id)
    return download_response(image_store(), image, "gzip" if file_name == "volume.nii.gz" else "original")


@bp.post("/depth")
def submit_depth():
    """Queue a depth-map job for one of the owner's segmentations."""
    return _submit("depth", {"segmentation_name": request.form.get("segmentation_name", "")})


@bp.post("/align")
def submit_alignment():
    """Queue an alignment job from the form's names, matrix and landmark pairs (JSON or a table)."""
    form = request.form
    problems = []
    matrix = _collect(problems, _json_field, form, "transformation_matrix", "the matrix")
    pairs = _collect(problems, _landmark_field, form.get("landmark_pairs", ""))
    if problems:
        return _render_index(
            form=form, error="The alignment was not queued; fix these first:", problems=problems, status=422
        )
    return _submit(
        "align",
        {
            "image_name": form.get("image_name", ""),
            "depth_map_name": form.get("depth_map_name", ""),
            "transformation_matrix": matrix,
            "landmark_pairs": pairs,
            "preset": form.get("preset", DEFAULT_PRESET),
            "incoming_space": form.get("incoming_space", "neuroglancer"),
        },
    )


def _collect(problems, parse, *args):
    """``parse(*args)``, or None with its problems added to ``problems`` (all fields are checked)."""
    try:
        return parse(*args)
    except InputError as exc:
        problems.extend([str(p) for p in exc.problems] if exc.problems else [exc.message])
        return None


def _json_field(form, key, what):
    return load_json_text(form.get(key, ""), f"{what[0].upper()}{what[1:]}")


def _landmark_field(text):
    """Landmark pairs as JSON (starts with ``[``) or as a pasted table of 6 numbers per line."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return _json_field({"landmark_pairs": text}, "landmark_pairs", "the landmark pairs")
    try:
        return landmark_pairs_from_table(text)
    except InputError as exc:
        raise InputError(exc.message, [f"Landmark table, {p}" for p in exc.problems] or None) from None


def _submit(kind, params):
    try:
        job_id = submit_on_own_store(owner_for_new_work(), kind, params)
    except CorticoError as exc:
        from cortico.web.errors import status_for

        problems = [str(problem) for problem in exc.problems or ()]
        return _render_index(form=request.form, error=exc.message, problems=problems, status=status_for(exc))
    return redirect(url_for("align.job_page", job_id=job_id), code=303)


@bp.get("/jobs/<job_id>")
def job_page(job_id):
    """Progress while the job runs, then its results and the viewer."""
    job = _owned_job(job_id)
    layers, files = [], []
    if job.state == JobState.SUCCEEDED:
        layers = _result_layers(job)
        if job.kind == "align":
            files = output_files(job, "align.job_file")
    return render_template(
        "align_job.html",
        job=job,
        status=job_as_dict(job),
        layers=layers,
        files=files,
        descriptions=OUTPUT_DESCRIPTIONS,
        version=__version__,
    )


@bp.get("/jobs/<job_id>/status")
def job_status(job_id):
    """State, progress and message as JSON (polled by the job page)."""
    body = job_as_dict(_owned_job(job_id))
    return {key: body[key] for key in ("state", "finished", "progress", "message", "error")}


@bp.post("/jobs/<job_id>/cancel")
def job_cancel(job_id):
    """Stop a queued or running job."""
    cancel_job(current_app.extensions["celery"], _owned_job(job_id).id)
    return redirect(url_for("align.job_page", job_id=job_id), code=303)


@bp.post("/jobs/<job_id>/delete")
def job_delete(job_id):
    """Delete one of this owner's finished jobs with its files."""
    try:
        delete_finished_job(current_app.extensions["celery"].cortico, job_id, session_owner_id(create=False))
    except NotFoundError:
        abort(404)
    except ConflictError as exc:
        flash(exc.message)
        return redirect(url_for("align.index"), code=303)
    flash("Deleted the job and its files.")
    return redirect(url_for("align.index"), code=303)


@bp.get("/jobs/<job_id>/files/<role>")
def job_file(job_id, role):
    """One output file of a succeeded alignment."""
    try:
        path = output_file(_owned_job(job_id), role)
    except CorticoError:
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name, max_age=0)


def _layer(image, colormap, opacity=1.0):
    return {
        "url": url_for("align.volume_file", image_id=image.id, file_name="volume.nii.gz"),
        "name": f"{image.name}.nii.gz",
        "label": image.name,
        "colormap": colormap,
        "opacity": opacity,
        "page": url_for("align.volume_page", image_id=image.id),
    }


def _result_layers(job):
    """Volumes to show for a finished job: its inputs and its new volume, newest on top."""
    store = image_store()
    owner = job.owner_id
    params, result = job.params or {}, job.result or {}
    if job.kind == "depth":
        names = [(params.get("segmentation_name"), "gray", 1.0), (result.get("depth_map_name"), "viridis", 0.6)]
    else:
        names = [(params.get("image_name"), "gray", 1.0), (result.get("transformed_image_name"), "red", 0.5)]
    layers = []
    for name, colormap, opacity in names:
        image = store.find(owner, name) if name else None
        if isinstance(image, Image):
            layers.append(_layer(image, colormap, opacity))
    return layers
