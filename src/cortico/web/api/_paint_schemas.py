"""Marshmallow schemas of the painting and atlas API (every field described)."""

from marshmallow import Schema, fields, validate

from cortico.web.schemas import JobSchema

__all__ = [
    "AtlasDetailSchema",
    "AtlasSchema",
    "PAINT_REQUEST_BODY",
    "PaintJobCreatedSchema",
    "PaintOptionsSchema",
    "RegionSchema",
    "ResultFileSchema",
    "ResultFilesSchema",
    "TemplateArgs",
]

_SETTINGS_EXAMPLE = {
    "atlas": "dk",
    "surface": "pial",
    "views": ["cortical-outer-left-hemisphere", "cortical-inner-left-hemisphere"],
    "colors": ["#ffffff", "#ffff00", "#ff0000"],
    "vmin": 0,
    "vmax": 3,
    "label": "Cortical thickness (mm)",
    "width": 1200,
    "height": 900,
    "panel": True,
}
_VALUES_EXAMPLE = {
    "control": {"Left-superiorfrontal": 2.7, "Right-superiorfrontal": 2.6, "Left-Hippocampus": 1.1},
    "patient": {"Left-superiorfrontal": 2.1, "Right-superiorfrontal": None, "Left-Hippocampus": 0.4},
}

#: OpenAPI requestBody of POST /api/v1/paint/jobs (JSON or a CSV upload).
PAINT_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["values"],
                "properties": {
                    "values": {
                        "type": "object",
                        "description": "Values per image and region column: `{image name: {column: number or "
                        "null}}`. Columns are named as in BrainPainter CSVs (v1 `superiorfrontal` "
                        "for both hemispheres, v2 `Left-superiorfrontal`); null = no data.",
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": {"type": "number", "nullable": True},
                        },
                    },
                    "settings": {
                        "type": "object",
                        "description": "Painting settings (every field of `GET /api/v1/paint/options` "
                        "`defaults`; missing ones take their default).",
                    },
                },
            },
            "example": {"values": _VALUES_EXAMPLE, "settings": _SETTINGS_EXAMPLE},
        },
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["table"],
                "properties": {
                    "table": {
                        "type": "string",
                        "format": "binary",
                        "description": "The values CSV: first column `Image-name-unique`, one column per "
                        "region (`,` `;` or tab separated).",
                    },
                    "settings": {
                        "type": "string",
                        "description": "Painting settings as a JSON object text, e.g. "
                        '`{"atlas": "dk", "views": ["top"]}`.',
                    },
                },
            },
        },
    },
}


class PaintJobCreatedSchema(JobSchema):
    warnings = fields.List(
        fields.String(),
        metadata={
            "description": "Things that did not stop the job, e.g. columns matching no region (ignored).",
            "example": ["Column 'age' matches no region of atlas 'dk' and is ignored."],
        },
    )


class ResultFileSchema(Schema):
    name = fields.String(
        metadata={
            "description": "File name within the job's results.",
            "example": "cortical-outer-left-hemisphere_control.png",
        }
    )
    kind = fields.String(
        validate=validate.OneOf(["image", "thumbnail", "panel", "colorbar", "movie", "settings", "table", "zip"]),
        metadata={"description": "What the file is.", "example": "image"},
    )
    row = fields.String(
        allow_none=True, metadata={"description": "Image name (CSV row) the file belongs to.", "example": "control"}
    )
    view = fields.String(
        allow_none=True, metadata={"description": "View name of an image.", "example": "cortical-outer-left-hemisphere"}
    )
    caption = fields.String(
        allow_none=True, metadata={"description": "Human caption of the view.", "example": "Left lateral"}
    )
    size = fields.Integer(allow_none=True, metadata={"description": "Size in bytes.", "example": 183204})
    url = fields.String(
        metadata={
            "description": "Download URL (same token).",
            "example": "/api/v1/paint/jobs/Xb3.../files/cortical-outer-left-hemisphere_control.png",
        }
    )


class ResultFilesSchema(Schema):
    job_id = fields.String(metadata={"description": "The job.", "example": "hV2q3Yl0bC9mJX8s1pWQ2A"})
    zip_url = fields.String(
        metadata={"description": "URL of the zip with every image, panel, movie, the table and settings.json."}
    )
    files = fields.List(fields.Nested(ResultFileSchema), metadata={"description": "Every result file."})


class TemplateArgs(Schema):
    schema = fields.String(
        load_default="v2",
        validate=validate.OneOf(["v1", "v2"]),
        metadata={
            "description": "`v2`: one column per hemisphere (`Left-`/`Right-`), `v1`: one column for both.",
            "example": "v2",
        },
    )
    rows = fields.Integer(
        load_default=1,
        validate=validate.Range(1, 1000),
        metadata={"description": "Number of rows (image-1, image-2, ...).", "example": 3},
    )
    demo = fields.Boolean(
        load_default=False,
        metadata={"description": "Fill the rows with demonstration values instead of leaving them empty."},
    )


class RegionSchema(Schema):
    key = fields.String(metadata={"description": "Unique key.", "example": "lh.superiorfrontal"})
    name = fields.String(metadata={"description": "Name without hemisphere.", "example": "superiorfrontal"})
    hemi = fields.String(allow_none=True, metadata={"description": "lh, rh or null (midline).", "example": "lh"})
    kind = fields.String(metadata={"description": "cortical or subcortical.", "example": "cortical"})
    column = fields.String(metadata={"description": "Its column name in a v2 CSV.", "example": "Left-superiorfrontal"})
    color = fields.String(metadata={"description": "The atlas' own colour.", "example": "#14dca0"})


class AtlasSchema(Schema):
    name = fields.String(metadata={"description": "Identifier to use in settings.", "example": "dk"})
    title = fields.String(
        metadata={
            "description": "Human title.",
            "example": "Desikan-Killiany (34 cortical regions/hemisphere) + aseg subcortical",
        }
    )
    aliases = fields.List(
        fields.String(), metadata={"description": "Other accepted names.", "example": ["desikan-killiany"]}
    )
    description = fields.String(metadata={"description": "Provenance of the data."})
    imported = fields.Boolean(
        metadata={"description": "True for your own imported atlases (named `user:<name>`).", "example": False}
    )
    cortical_regions = fields.Integer(metadata={"description": "Cortical regions (both hemispheres).", "example": 68})
    subcortical_regions = fields.Integer(metadata={"description": "Subcortical structures.", "example": 27})
    templates = fields.Dict(
        metadata={
            "description": "CSV template URLs by schema.",
            "example": {"v2": "/api/v1/atlases/dk/template.csv?schema=v2"},
        }
    )


class AtlasDetailSchema(AtlasSchema):
    regions = fields.List(fields.Nested(RegionSchema), metadata={"description": "Every region."})


class PaintOptionsSchema(Schema):
    views = fields.List(
        fields.Dict(),
        metadata={
            "description": "Named views with their captions; free cameras are written "
            "`camera:azimuth=30,elevation=20,zoom=1.2`.",
            "example": [{"name": "top", "caption": "Superior"}],
        },
    )
    surfaces = fields.List(
        fields.String(), metadata={"description": "Cortical surfaces.", "example": ["pial", "white", "inflated"]}
    )
    meshes = fields.List(
        fields.String(),
        metadata={
            "description": "Template meshes of the bundled human atlases (setting `mesh`): full fsaverage "
            "or the lighter fsaverage6/fsaverage5, same labels, faster painting and a smaller 3D download.",
            "example": ["fsaverage", "fsaverage6", "fsaverage5"],
        },
    )
    colormaps = fields.List(
        fields.String(),
        metadata={
            "description": "Suggested matplotlib colormaps (any matplotlib name works).",
            "example": ["viridis", "RdBu_r"],
        },
    )
    defaults = fields.Dict(
        metadata={"description": "Every setting with its default value.", "example": _SETTINGS_EXAMPLE}
    )
    limits = fields.Dict(
        metadata={
            "description": "This server's limits per job.",
            "example": {
                "max_rows": 500,
                "max_images": 2000,
                "max_side": 4096,
                "max_upload_bytes": 5242880,
                "max_movie_frames": 600,
            },
        }
    )
