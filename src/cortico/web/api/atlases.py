"""``/api/v1/atlases``: the atlases to paint on, their regions and CSV templates."""

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from cortico.exceptions import InputError
from cortico.paint import safe_name
from cortico.web._atlas_catalog import SCHEMAS, atlas_entries, atlas_entry, atlas_regions, atlas_summary, template_text
from cortico.web._paint_jobs import store
from cortico.web.api._paint_schemas import AtlasDetailSchema, AtlasSchema, TemplateArgs
from cortico.web.auth import current_user_id, require_token
from cortico.web.schemas import JobSchema

__all__ = ["blp"]

blp = Blueprint(
    "atlases_api",
    __name__,
    url_prefix="/api/v1/atlases",
    description="Atlases: named regions on the fsaverage brain (and a mouse dorsal map), with ready-to-fill CSV "
    "templates; import your own (`POST /api/v1/atlases/`).",
)
blp.before_request(require_token)

IMPORT_REQUEST_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "description": "Name of the atlas (1-100 characters), unique per user."},
                    "title": {"type": "string", "description": "Display title (default: the name)."},
                    "mesh": {
                        "type": "string",
                        "enum": ["fsaverage", "fsaverage6", "fsaverage5"],
                        "description": "Template mesh the label files belong to (one value per vertex of it).",
                    },
                    "lh_labels": {
                        "type": "string",
                        "format": "binary",
                        "description": "Left hemisphere labels: .annot, .label.gii, or numbers (.npy, .mgh, .txt) "
                        "with a 'table'.",
                    },
                    "rh_labels": {"type": "string", "format": "binary", "description": "Right hemisphere labels."},
                    "volume": {
                        "type": "string",
                        "format": "binary",
                        "description": "A label volume (.nii, .nii.gz, .mgz, .nrrd; e.g. the Allen CCF annotation) "
                        "instead of label files: every label becomes a closed mesh.",
                    },
                    "table": {
                        "type": "string",
                        "format": "binary",
                        "description": "Lookup table: CSV id,name[,r,g,b] or a FreeSurfer LUT.",
                    },
                },
            }
        }
    },
}


def _with_templates(summary):
    summary["templates"] = {
        schema: url_for("atlases_api.AtlasTemplate", name=summary["name"], schema=schema) for schema in SCHEMAS
    }
    return summary


def _owner():
    return current_user_id()


@blp.route("/")
class Atlases(MethodView):
    @blp.response(200, AtlasSchema(many=True))
    def get(self):
        """Every atlas you can paint on (bundled, then yours), with region counts and template URLs."""
        return [_with_templates(atlas_summary(entry, store(), _owner())) for entry in atlas_entries(store(), _owner())]

    @blp.doc(requestBody=IMPORT_REQUEST_BODY)
    @blp.response(
        202,
        JobSchema,
        description="Queued; poll `links.self`. When it succeeds, `result.atlas` is the "
        "name to paint with (`user:<name>`), listed by `GET /api/v1/atlases/` for you only.",
    )
    @blp.alt_response(409, description="You already have an atlas with this name.")
    @blp.alt_response(413, description="A file is larger than this server accepts.")
    @blp.alt_response(
        422,
        description="A missing or unreadable file, a wrong vertex count, label ids missing "
        "from the table...: the message names the file and the problem.",
    )
    def post(self):
        """Import an atlas: label files on a template mesh, or a label volume + lookup table (runs as a job)."""
        from flask import request

        from cortico.web._atlas_imports import create_import_job
        from cortico.web._jobs_view import get_owned_job, job_as_dict

        if request.mimetype != "multipart/form-data":
            raise InputError("Send a multipart form with 'name' and the files to import.")
        job_id = create_import_job(_owner(), request.form, request.files)
        return job_as_dict(get_owned_job(job_id, _owner())), 202


@blp.route("/<name>")
class AtlasByName(MethodView):
    @blp.response(200, AtlasDetailSchema)
    @blp.alt_response(404, description="No atlas with this name.")
    def get(self, name):
        """One atlas with all its regions and their CSV column names (`user:<name>` for yours)."""
        entry = atlas_entry(name, store(), _owner())
        summary = _with_templates(atlas_summary(entry, store(), _owner()))
        summary["regions"] = atlas_regions(entry["name"], store(), _owner())
        return summary


@blp.route("/<name>/template.csv")
class AtlasTemplate(MethodView):
    @blp.arguments(TemplateArgs, location="query", unknown=RAISE)
    @blp.response(
        200,
        description="CSV with the header `Image-name-unique,<region columns>` and empty rows "
        "(or rows of demonstration values with `demo=true`).",
        content_type="text/csv",
        example="Image-name-unique,Left-bankssts,Left-caudalanteriorcingulate,...\nimage-1,,,...\n",
    )
    @blp.alt_response(404, description="No atlas with this name.")
    @blp.alt_response(422, description="Unknown schema or number of rows out of 1..1000.")
    def get(self, args, name):
        """Download a ready-to-fill values CSV for an atlas (BrainPainter v1 or v2 columns)."""
        entry = atlas_entry(name, store(), _owner())
        text = template_text(entry["name"], args["schema"], args["rows"], store(), _owner(), demo=args["demo"])
        filename = f"cortico-template-{safe_name(entry['name'])}-{args['schema']}.csv"
        return Response(text, mimetype="text/csv", headers={"Content-Disposition": f"attachment; filename={filename}"})
