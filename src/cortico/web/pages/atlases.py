"""Atlas pages: every atlas with its templates, importing your own (as a job), 3D view of yours."""

import numpy as np
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from cortico import __version__
from cortico.db.models import Job
from cortico.exceptions import CorticoError, NotFoundError
from cortico.jobs.kinds.atlas_import import KIND
from cortico.web._atlas_catalog import atlas_entries, atlas_summary
from cortico.web._atlas_imports import create_import_job, max_upload_bytes
from cortico.web._paint_jobs import store
from cortico.web.auth import owner_for_new_work, session_owner_id

bp = Blueprint("atlases", __name__, url_prefix="/atlases")

_MESHES = (
    ("fsaverage", "fsaverage (163,842 vertices per hemisphere)"),
    ("fsaverage6", "fsaverage6 (40,962)"),
    ("fsaverage5", "fsaverage5 (10,242)"),
)


def _page(form=None, error=None, status=200):
    owner = session_owner_id(create=False)
    entries = [atlas_summary(entry, store(), owner) for entry in atlas_entries(store(), owner)]
    mine = {stored.name: stored.id for stored in store().list(str(owner))} if owner is not None else {}
    return render_template(
        "atlases.html",
        atlases=entries,
        mine=mine,
        meshes=_MESHES,
        form=form or {"name": "", "title": "", "mesh": "fsaverage"},
        error=error,
        max_mb=max_upload_bytes() // (1024 * 1024),
        version=__version__,
    ), status


@bp.get("/")
def index():
    """Every atlas (bundled, then yours) with region counts and templates; the import form."""
    return _page()


@bp.post("/import")
def submit_import():
    """Check the uploaded files and queue the import, or show what is wrong."""
    from cortico.web.errors import status_for

    owner = owner_for_new_work()
    form = {key: request.form.get(key, "").strip() for key in ("name", "title", "mesh")}
    try:
        job_id = create_import_job(owner, request.form, request.files)
    except CorticoError as exc:
        return _page(form, exc.message, status_for(exc))
    return redirect(url_for("atlases.import_page", job_id=job_id), code=303)


def _import_job(job_id):
    db = current_app.extensions["cortico.db"]
    with db.session() as session:
        job = session.get(Job, job_id) if len(job_id) <= 64 else None
        if job is None or job.kind != KIND or job.owner_id != session_owner_id(create=False):
            abort(404)
        return job


@bp.get("/imports/<job_id>")
def import_page(job_id):
    """Progress of an import; its result (paint it, see it in 3D) once done. Owner only."""
    job = _import_job(job_id)
    finished = job.state in ("succeeded", "failed", "cancelled")
    atlas_id = (job.result or {}).get("atlas_id") if job.state == "succeeded" else None
    return render_template("atlas_import.html", job=job, finished=finished, atlas_id=atlas_id, version=__version__)


def _owned_atlas(atlas_id):
    owner = session_owner_id(create=False)
    if owner is None:
        abort(404)
    try:
        return store().load(str(owner), atlas_id)
    except NotFoundError:
        abort(404)


@bp.get("/mine/<atlas_id>/3d")
def atlas_3d(atlas_id):
    """One of your imported atlases in 3D, in its own colours."""
    atlas = _owned_atlas(atlas_id)
    return render_template("atlas_3d.html", atlas=atlas, atlas_id=atlas_id, version=__version__)


@bp.get("/mine/<atlas_id>/mesh.bin")
def atlas_mesh(atlas_id):
    """The decimated mesh of one of your atlases, painted in its region colours (viewer format)."""
    from cortico.paint import painted_mesh_bytes, preview_geometry

    atlas = _owned_atlas(atlas_id)
    surface = "pial" if "pial" in atlas.surface_kinds else (atlas.surface_kinds or ("pial",))[0]
    colours = np.array([region.color for region in atlas.regions], dtype=np.float64).reshape(-1, 3)
    data = painted_mesh_bytes(preview_geometry(atlas, surface), atlas, colours, "#9e9e9e", "#7f7f7f", title=atlas.title)
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
