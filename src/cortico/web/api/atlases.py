"""``/api/v1/atlases``: the atlases to paint on, their regions and CSV templates."""

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from cortico.exceptions import NotFoundError
from cortico.jobs.kinds._paint_inputs import load_paint_atlas
from cortico.web._atlas_catalog import SCHEMAS, atlas_regions, atlas_summary, bundled_atlases, template_text
from cortico.web.api._paint_schemas import AtlasDetailSchema, AtlasSchema, TemplateArgs
from cortico.web.auth import require_token

__all__ = ["blp"]

blp = Blueprint("atlases_api", __name__, url_prefix="/api/v1/atlases",
                description="Atlases: named regions on the fsaverage brain, with ready-to-fill CSV templates.")
blp.before_request(require_token)


def _with_templates(summary):
    summary["templates"] = {schema: url_for("atlases_api.AtlasTemplate", name=summary["name"], schema=schema)
                            for schema in SCHEMAS}
    return summary


def _info(name):
    atlas = load_paint_atlas(name)
    for info in bundled_atlases():
        if info.name == atlas.name:
            return info
    raise NotFoundError(f"Unknown atlas {name!r}.")


@blp.route("/")
class Atlases(MethodView):
    @blp.response(200, AtlasSchema(many=True))
    def get(self):
        """Every atlas you can paint on, with region counts and template URLs."""
        return [_with_templates(atlas_summary(info)) for info in bundled_atlases()]


@blp.route("/<name>")
class AtlasByName(MethodView):
    @blp.response(200, AtlasDetailSchema)
    @blp.alt_response(404, description="No atlas with this name.")
    def get(self, name):
        """One atlas with all its regions and their CSV column names."""
        info = _info(name)
        summary = _with_templates(atlas_summary(info))
        summary["regions"] = atlas_regions(info.name)
        return summary


@blp.route("/<name>/template.csv")
class AtlasTemplate(MethodView):
    @blp.arguments(TemplateArgs, location="query")
    @blp.response(200, description="CSV with the header `Image-name-unique,<region columns>` and empty rows.",
                  content_type="text/csv",
                  example="Image-name-unique,Left-bankssts,Left-caudalanteriorcingulate,...\nimage-1,,,...\n")
    @blp.alt_response(404, description="No atlas with this name.")
    @blp.alt_response(422, description="Unknown schema or number of rows out of 1..1000.")
    def get(self, args, name):
        """Download a ready-to-fill values CSV for an atlas (BrainPainter v1 or v2 columns)."""
        info = _info(name)
        text = template_text(info.name, args["schema"], args["rows"])
        filename = f"cortico-template-{info.name}-{args['schema']}.csv"
        return Response(text, mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={filename}"})
