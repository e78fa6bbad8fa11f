"""``/api/v1/atlases``: the atlases to paint on, their regions and CSV templates."""

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE

from cortico.paint import safe_name
from cortico.web._atlas_catalog import SCHEMAS, atlas_entries, atlas_entry, atlas_regions, atlas_summary, template_text
from cortico.web._paint_jobs import store
from cortico.web.api._paint_schemas import AtlasDetailSchema, AtlasSchema, TemplateArgs
from cortico.web.auth import current_user_id, require_token

__all__ = ["blp"]

blp = Blueprint(
    "atlases_api",
    __name__,
    url_prefix="/api/v1/atlases",
    description="Atlases: named regions on the fsaverage brain, with ready-to-fill CSV templates.",
)
blp.before_request(require_token)


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
