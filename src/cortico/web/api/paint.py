"""``/api/v1/paint``: create painting jobs, list and download their files."""

from flask import request, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from cortico.atlases import SURFACE_KINDS
from cortico.exceptions import InputError
from cortico.paint import NAMED_VIEWS, PaintSettings, values_to_csv, view_caption
from cortico.web._input_guard import load_json_text
from cortico.web._jobs_view import get_owned_job, job_as_dict
from cortico.web._paint_jobs import (
    check_request,
    create_paint_job,
    job_files,
    limits,
    read_upload,
    result_file,
    zip_download_name,
)
from cortico.web.api._paint_schemas import (
    PAINT_REQUEST_BODY,
    PaintJobCreatedSchema,
    PaintOptionsSchema,
    ResultFilesSchema,
)
from cortico.web.auth import current_user_id, require_token

__all__ = ["blp", "SUGGESTED_COLORMAPS"]

SUGGESTED_COLORMAPS = (
    "viridis",
    "plasma",
    "inferno",
    "magma",
    "cividis",
    "hot",
    "YlOrRd",
    "Reds",
    "Blues",
    "RdBu_r",
    "coolwarm",
    "bwr",
    "PiYG",
    "PuOr",
    "Spectral",
)

blp = Blueprint(
    "paint_api",
    __name__,
    url_prefix="/api/v1/paint",
    description="Brain painting: a values table (CSV upload or JSON) and settings become images, "
    "panels, a movie and a zip. Poll the job at `links.self`.",
)
blp.before_request(require_token)


def _created(job_id, warnings):
    body = job_as_dict(get_owned_job(job_id, current_user_id()))
    body["links"].update(
        {
            "files": url_for("paint_api.PaintJobFiles", job_id=job_id),
            "zip": url_for("paint_api.PaintJobZip", job_id=job_id),
            "page": url_for("paint.job_page", job_id=job_id),
        }
    )
    body["warnings"] = list(warnings)
    return body


def _json_settings(text):
    if not text or not text.strip():
        return {}
    data = load_json_text(text, "The 'settings' field")
    if not isinstance(data, dict):
        raise InputError("The 'settings' field must be a JSON object of setting names and values.")
    return data


@blp.route("/jobs")
class PaintJobs(MethodView):
    @blp.doc(requestBody=PAINT_REQUEST_BODY)
    @blp.response(202, PaintJobCreatedSchema, description="Queued; poll `links.self`, then list `links.files`.")
    @blp.alt_response(
        413,
        description="The CSV, the rows, the images or the movie frames exceed this server's "
        "limits (`errors` says which and by how much).",
    )
    @blp.alt_response(
        422,
        description="Every problem of the table and the settings at once: `errors` lists "
        "them in words, `details` with row, column, field and closest region "
        "names.",
    )
    def post(self):
        """Create a painting job from a CSV upload (multipart) or from JSON values.

        The table is checked completely before anything is queued; the errors are the
        same sentences the painting page shows.
        """
        if request.mimetype == "multipart/form-data":
            upload = request.files.get("table")
            table_bytes = read_upload(upload)
            settings = _json_settings(request.form.get("settings"))
            name = upload.filename if upload is not None else None
        else:
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                raise InputError(
                    'Send JSON {"values": {...}, "settings": {...}} or a multipart form with a \'table\' CSV file.'
                )
            unknown = sorted(set(body) - {"values", "settings"})
            if unknown:
                raise InputError(f"Unknown field(s) {', '.join(unknown)}; expected 'values' and 'settings'.")
            table_bytes = values_to_csv(body.get("values"))
            settings = body.get("settings", {})
            name = "values.csv"
        checked = check_request(table_bytes, settings, current_user_id())
        job_id = create_paint_job(current_user_id(), checked, name)
        return _created(job_id, checked.warnings), 202


@blp.route("/jobs/<job_id>/files")
class PaintJobFiles(MethodView):
    @blp.response(200, ResultFilesSchema)
    @blp.alt_response(404, description="No such job for this user.")
    @blp.alt_response(409, description="The job has not succeeded (yet); the message says its state.")
    def get(self, job_id):
        """Every result file of one of your succeeded painting jobs, with download URLs."""
        job = get_owned_job(job_id, current_user_id())
        files = job_files(job)
        for entry in files:
            entry["url"] = url_for("paint_api.PaintJobFile", job_id=job_id, name=entry["name"])
        return {"job_id": job_id, "files": files, "zip_url": url_for("paint_api.PaintJobZip", job_id=job_id)}


@blp.route("/jobs/<job_id>/files/<path:name>")
class PaintJobFile(MethodView):
    @blp.response(
        200, description="The file (PNG, PDF, SVG, MP4, GIF, JSON or CSV).", content_type="application/octet-stream"
    )
    @blp.alt_response(404, description="No such job, or no such file in its result.")
    @blp.alt_response(409, description="The job has not succeeded (yet).")
    def get(self, job_id, name):
        """Download one result file (names as listed by `/files`)."""
        job = get_owned_job(job_id, current_user_id())
        return send_file(result_file(job, name), max_age=0)


@blp.route("/jobs/<job_id>/zip")
class PaintJobZip(MethodView):
    @blp.response(
        200,
        description="Zip of every image, panel, colour bar, movie, the input table and settings.json.",
        content_type="application/zip",
    )
    @blp.alt_response(404, description="No such job for this user.")
    @blp.alt_response(409, description="The job has not succeeded (yet).")
    def get(self, job_id):
        """Download all results of a painting job as one zip."""
        job = get_owned_job(job_id, current_user_id())
        path = result_file(job, job.result["zip"])
        return send_file(
            path, mimetype="application/zip", as_attachment=True, download_name=zip_download_name(job), max_age=0
        )


@blp.route("/options")
class PaintOptions(MethodView):
    @blp.response(200, PaintOptionsSchema)
    def get(self):
        """Views, surfaces, meshes, suggested colormaps, default settings and this server's limits."""
        configured = limits()
        return {
            "views": [{"name": name, "caption": view_caption(name)} for name in NAMED_VIEWS],
            "surfaces": list(SURFACE_KINDS),
            "meshes": ["fsaverage", "fsaverage6", "fsaverage5"],
            "colormaps": list(SUGGESTED_COLORMAPS),
            "defaults": PaintSettings().to_dict(),
            "limits": {
                "max_rows": configured.max_rows,
                "max_images": configured.max_images,
                "max_side": configured.max_side,
                "max_upload_bytes": configured.max_upload_bytes,
                "max_movie_frames": configured.max_movie_frames,
            },
        }
