"""The painting pages: the form, a job's progress and gallery, the 3D view.

A job page is reached by its unguessable id alone (it can be shared); everything it
shows is read from the database and the job folder, so it survives restarts and
works on any web process.
"""

import functools

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_file, url_for

from cortico._version import __version__
from cortico.atlases import SURFACE_KINDS
from cortico.db import Job, JobState
from cortico.exceptions import ConflictError, CorticoError, NotFoundError, Problem
from cortico.jobs import cancel_job, delete_finished_job
from cortico.jobs.kinds.paint import KIND, input_folder
from cortico.paint import INPUT_CSV, PaintRequest, preview_mesh, safe_name, saved_request_exists
from cortico.web._atlas_catalog import SCHEMAS, atlas_entries, atlas_entry, template_text
from cortico.web._jobs_view import list_owned_jobs
from cortico.web._paint_jobs import (
    check_request,
    create_paint_job,
    limits,
    read_upload,
    result_file,
    store,
    zip_download_name,
)
from cortico.web.auth import owner_for_new_work, session_owner_id
from cortico.web.pages._paint_form import (
    default_form,
    form_from_request,
    form_from_settings,
    form_settings,
    keep_table,
    kept_table,
)
from cortico.web.pages._view_thumbnails import thumbnail_name

bp = Blueprint("paint", __name__, url_prefix="/paint")

_SURFACE_CAPTIONS = {"pial": "Pial (outer)", "white": "White matter", "midthickness": "Mid-thickness"}
_SURFACES = tuple((kind, _SURFACE_CAPTIONS.get(kind, kind.capitalize())) for kind in SURFACE_KINDS)
_MESHES = (
    ("fsaverage", "fsaverage (full, 163,842 vertices/hemisphere)"),
    ("fsaverage6", "fsaverage6 (lighter, 40,962)"),
    ("fsaverage5", "fsaverage5 (lightest, 10,242)"),
)


def _view_choices():
    from cortico.paint import NAMED_VIEWS, view_caption

    return [{"name": name, "caption": view_caption(name), "thumb": thumbnail_name(name)} for name in NAMED_VIEWS]


def _colormap_strips():
    """CSS gradients previewing the suggested colormaps."""
    import matplotlib
    from matplotlib.colors import to_hex

    from cortico.web.api.paint import SUGGESTED_COLORMAPS

    strips = {}
    for name in SUGGESTED_COLORMAPS:
        cmap = matplotlib.colormaps[name]
        stops = ", ".join(to_hex(cmap(i / 10)) for i in range(11))
        strips[name] = f"linear-gradient(to right, {stops})"
    return strips


def _render_form(values, problems=(), warnings=(), kept="", kept_name="", status=200):
    configured = limits()
    atlases = atlas_entries(store(), session_owner_id(create=False))
    return render_template(
        "paint_form.html",
        form=values,
        problems=list(problems),
        warnings=list(warnings),
        kept_table=kept,
        kept_name=kept_name,
        atlases=atlases,
        surfaces=_SURFACES,
        meshes=_MESHES,
        views=_view_choices(),
        colormaps=_colormap_strips(),
        schemas=SCHEMAS,
        limits=configured,
        my_jobs=_my_jobs(),
        version=__version__,
    ), status


def _my_jobs():
    owner = session_owner_id(create=False)
    return list_owned_jobs(owner, limit=20, kinds=(KIND,)) if owner is not None else []


def _job(job_id):
    """A paint job by its id alone (the id is the capability to see it)."""
    db = current_app.extensions["cortico.db"]
    with db.session() as session:
        job = session.get(Job, job_id) if len(job_id) <= 64 else None
        if job is None or job.kind != KIND:
            abort(404)
        return job


@bp.get("/")
def form():
    """The painting form (``?from=<job id>`` starts from that job's settings)."""
    source = request.args.get("from")
    if source:
        job = _job(source)
        values = form_from_settings(job.params.get("settings") or {})
        path = _input_table(job)
        table = path.read_bytes() if path.is_file() else None
        return _render_form(values, kept=keep_table(table), kept_name=job.params.get("input_name", ""))[0]
    return _render_form(default_form())[0]


@bp.post("/")
def submit():
    """Check the form and the table; queue the job or show every problem."""
    values = form_from_request(request.form)
    upload = request.files.get("table")
    table_bytes = read_upload(upload)
    name = upload.filename if table_bytes is not None else request.form.get("kept_name", "")
    if table_bytes is None:
        table_bytes = kept_table(request.form)
    settings, problems = form_settings(values)
    checked = check_request(table_bytes, settings, session_owner_id(create=False))
    problems = problems + checked.problems
    if problems:
        status = 413 if all(p.limit for p in problems) else 422
        return _render_form(values, problems, checked.warnings, keep_table(table_bytes), name or "", status)
    try:
        job_id = create_paint_job(owner_for_new_work(), checked, name)
    except CorticoError as exc:
        from cortico.web.errors import status_for

        problems = exc.details or [Problem(exc.message)]
        status = 429 if status_for(exc) == 429 else 422
        return _render_form(values, problems, checked.warnings, keep_table(table_bytes), name or "", status)
    return redirect(url_for("paint.job_page", job_id=job_id), code=303)


@bp.get("/templates/<atlas>-<schema>.csv")
def template(atlas, schema):
    """A ready-to-fill CSV for an atlas (v1 or v2 columns)."""
    if schema not in SCHEMAS:
        abort(404)
    owner = session_owner_id(create=False)
    try:
        name = atlas_entry(atlas, store(), owner)["name"]
    except NotFoundError:
        abort(404)
    demo = request.args.get("demo") == "1"
    text = template_text(name, schema, rows=2, store=store(), owner=owner, demo=demo)
    kind = "example" if demo else "template"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=cortico-{kind}-{safe_name(name)}-{schema}.csv"},
    )


def _status(job):
    return {
        "state": job.state,
        "finished": JobState(job.state).finished,
        "progress": job.progress,
        "message": job.progress_message,
        "step": job.step,
        "done": job.done,
        "total": job.total,
        "error": job.error,
    }


@bp.get("/jobs/<job_id>")
def job_page(job_id):
    """Progress while the job runs; the gallery once it has succeeded."""
    job = _job(job_id)
    status = _status(job)
    result = job.result if job.state == JobState.SUCCEEDED else None
    is_owner = session_owner_id(create=False) == job.owner_id
    return render_template(
        "paint_job.html",
        job=job,
        status=status,
        result=result,
        is_owner=is_owner,
        settings=(job.params or {}).get("settings", {}),
        input_name=(job.params or {}).get("input_name", "values.csv"),
        zip_name=zip_download_name(job),
        version=__version__,
    )


@bp.get("/jobs/<job_id>/status")
def job_status(job_id):
    """State and progress as JSON, for the progress bar."""
    return _status(_job(job_id))


@bp.post("/jobs/<job_id>/cancel")
def job_cancel(job_id):
    """Stop a queued or running job (only its owner; others may only look)."""
    job = _job(job_id)
    if session_owner_id(create=False) != job.owner_id:
        abort(403)
    cancel_job(current_app.extensions["celery"], job.id)
    return redirect(url_for("paint.job_page", job_id=job.id), code=303)


@bp.post("/jobs/<job_id>/delete")
def job_delete(job_id):
    """Delete one of this owner's finished painting jobs with its files."""
    try:
        delete_finished_job(current_app.extensions["celery"].cortico, _job(job_id).id, session_owner_id(create=False))
    except NotFoundError:
        abort(404)
    except ConflictError as exc:
        abort(409, exc.message)
    return redirect(url_for("paint.form") + "#my-jobs", code=303)


@bp.get("/jobs/<job_id>/files/<path:name>")
def job_file(job_id, name):
    """One result file (``?download=1`` to save it)."""
    job = _job(job_id)
    try:
        path = result_file(job, name)
    except CorticoError:
        abort(404)
    return send_file(path, as_attachment=request.args.get("download") == "1", max_age=3600)


@bp.get("/jobs/<job_id>/zip")
def job_zip(job_id):
    """Everything of the job in one zip."""
    job = _job(job_id)
    try:
        path = result_file(job, (job.result or {}).get("zip", ""))
    except CorticoError:
        abort(404)
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=zip_download_name(job))


@bp.get("/jobs/<job_id>/values.csv")
def job_table(job_id):
    """The values table the job was started with."""
    job = _job(job_id)
    path = _input_table(job)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="text/csv", as_attachment=True, download_name=INPUT_CSV)


def _row_index(job, row):
    rows = (job.result or {}).get("rows") or []
    if job.state != JobState.SUCCEEDED or not 0 <= row < len(rows):
        abort(404)
    return rows


@bp.get("/jobs/<job_id>/3d/<int:row>")
def job_3d(job_id, row):
    """Rotate and zoom the painted brain of one row."""
    job = _job(job_id)
    rows = _row_index(job, row)
    return render_template("paint_3d.html", job=job, row=row, rows=rows, result=job.result, version=__version__)


@bp.get("/jobs/<job_id>/mesh/<int:row>.bin")
def job_mesh(job_id, row):
    """The painted, decimated mesh of one row (binary; see ``cortico.paint.preview_mesh``)."""
    job = _job(job_id)
    rows = _row_index(job, row)
    try:
        checked = _saved_request(job)
    except (CorticoError, OSError):
        abort(404)
    index = next((i for i, r in enumerate(checked.table.rows) if r.name == rows[row]["name"]), None)
    if index is None:
        abort(404)
    response = Response(preview_mesh(checked, index), mimetype="application/octet-stream")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _input_table(job):
    return input_folder(current_app.extensions["celery"].cortico.job_folder(job.id)) / INPUT_CSV


def _saved_request(job):
    """The checked request of a job, loaded once per process (the 3D view asks for every row)."""
    folder = input_folder(current_app.extensions["celery"].cortico.job_folder(job.id))
    if not folder.is_dir():
        raise NotFoundError(f"The input of job {job.id} is no longer stored.")
    if not saved_request_exists(folder):  # a job painted before requests were saved: check its table again
        checked = check_request(_input_table(job).read_bytes(), (job.params or {}).get("settings") or {}, job.owner_id)
        checked.raise_for_problems()
        return checked
    return _load_request(str(folder), job.owner_id)


@functools.lru_cache(maxsize=16)
def _load_request(folder, owner_id):
    return PaintRequest.load(folder, store(), owner_id)
