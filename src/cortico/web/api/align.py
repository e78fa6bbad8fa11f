"""``/api/v1/align``: depth-map and alignment jobs on your volumes, and the alignment's files."""

from flask import send_file
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, pre_load, validate

from cortico.align import DEFAULT_PRESET, INCOMING_SPACES, MAX_LANDMARK_NAME_LENGTH, MAX_LANDMARK_PAIRS, PRESETS
from cortico.web._align_jobs import (
    job_links,
    output_file,
    output_files,
    submit_on_own_store,
)
from cortico.web._jobs_view import get_owned_job
from cortico.web.auth import current_user_id, require_token
from cortico.web.schemas import JobSchema, refuse_long_list

__all__ = ["blp"]

blp = Blueprint(
    "align_api",
    __name__,
    url_prefix="/api/v1/align",
    description="Equivolumetric depth maps and non-linear alignment of cortical patches stored in "
    "your image store (`/api/v1/images`). Jobs are polled at `links.self`; results name "
    "the new volumes.",
)
blp.before_request(require_token)


_MAX_LABELS = 1000  # label values per class


class LabelsSchema(Schema):
    cortex = fields.List(
        fields.Integer(),
        required=True,
        validate=validate.Length(max=_MAX_LABELS),
        metadata={"description": "Cortex labels.", "example": [100]},
    )
    white = fields.List(
        fields.Integer(),
        required=True,
        validate=validate.Length(max=_MAX_LABELS),
        metadata={"description": "White-matter labels.", "example": [200]},
    )
    outside = fields.List(
        fields.Integer(),
        allow_none=True,
        validate=validate.Length(max=_MAX_LABELS),
        metadata={"description": "Outside labels; omitted = every other label."},
    )


class DepthJobSchema(Schema):
    segmentation_name = fields.String(
        required=True,
        validate=validate.Length(1, 255),
        metadata={"description": "Name of your segmentation volume.", "example": "patch-segmentation"},
    )
    labels = fields.Nested(
        LabelsSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "Label mapping; default 0 outside, 100 cortex, 200 white."},
    )
    max_path_mm = fields.Float(
        load_default=None,
        allow_none=True,
        validate=validate.Range(0, 1000, min_inclusive=False),
        metadata={
            "description": "Give up flow lines longer than this (mm). Default: follow the data "
            "(3 x the estimated thickness, at least 6 mm, doubled for the lines that reach it)."
        },
    )
    smoothing_mm = fields.Float(
        load_default=1.0,
        validate=validate.Range(0, 10),
        metadata={"description": "Gaussian sigma (mm) before the curvature of the isosurfaces."},
    )
    voxel_size = fields.List(
        fields.Float(validate=validate.Range(0.001, 10)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(equal=3),
        metadata={
            "description": "Voxel sizes in mm overriding the header's (for a zero pixdim, or pixdim "
            "and sform that disagree, which are refused otherwise).",
            "example": [0.2, 0.2, 0.2],
        },
    )
    cut_faces = fields.String(
        load_default="extend",
        validate=validate.OneOf(["extend", "zero-flux"]),
        metadata={
            "description": "Image faces that cut the cortex: `extend` continues the field across them "
            "(default), `zero-flux` is the Neumann condition (exact only for faces perpendicular to the cortex)."
        },
    )
    layers = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(2, 100),
        metadata={
            "description": "N: also store N equivolume layers (1 = pial) as the segmentation "
            "`<name>-equivolumetric-layers`; the result names it in `layers_name`."
        },
    )


class AlignJobSchema(Schema):
    image_name = fields.String(
        required=True,
        validate=validate.Length(1, 255),
        metadata={"description": "Name of the incoming patch image.", "example": "patch"},
    )
    depth_map_name = fields.String(
        required=True,
        validate=validate.Length(1, 255),
        metadata={
            "description": "Name of its depth map (same grid).",
            "example": "patch-segmentation-equivolumetric-depth",
        },
    )
    transformation_matrix = fields.List(
        fields.List(fields.Float(allow_nan=False)),
        required=True,
        metadata={
            "description": "4x4 (or 3x4) incoming -> template affine, mm, row-major.",
            "example": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
        },
    )
    landmark_pairs = fields.List(
        fields.Dict(),
        load_default=list,
        validate=validate.Length(max=MAX_LANDMARK_PAIRS),
        metadata={
            "description": "`{source_point: template mm, target_point: incoming mm, active, name}`; "
            f"at most {MAX_LANDMARK_PAIRS} pairs, names of at most {MAX_LANDMARK_NAME_LENGTH} characters."
        },
    )
    preset = fields.String(
        load_default=DEFAULT_PRESET,
        validate=validate.OneOf(sorted(PRESETS)),
        metadata={"description": "`fast` (default) or `voluba` (the seed's exact, slow, ANTs settings)."},
    )
    incoming_space = fields.String(
        load_default="neuroglancer",
        validate=validate.OneOf(INCOMING_SPACES),
        metadata={
            "description": "Meaning of incoming coordinates: `neuroglancer` "
            "(VoluBA), `seed` (half a voxel off) or `world`."
        },
    )

    @pre_load
    def _bounded_pairs(self, data, **_):
        return refuse_long_list(data, "landmark_pairs", MAX_LANDMARK_PAIRS)


class OutputFileSchema(Schema):
    role = fields.String(
        metadata={"description": "resampled_image, affine, forward_warp, inverse_warp, composite or report."}
    )
    name = fields.String(metadata={"description": "File name."})
    size = fields.Integer(metadata={"description": "Bytes."})
    description = fields.String(metadata={"description": "What the file is."})
    url = fields.String(metadata={"description": "Download URL."})


@blp.route("/depth-jobs")
class DepthJobs(MethodView):
    @blp.arguments(DepthJobSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(422, description="Invalid parameters.")
    def post(self, body):
        """Compute the equivolumetric depth map of one of your segmentations."""
        owner = current_user_id()
        job_id = submit_on_own_store(owner, "depth", body)
        return job_links(get_owned_job(job_id, owner), "align_api.AlignmentFiles")


@blp.route("/jobs")
class AlignJobs(MethodView):
    @blp.arguments(AlignJobSchema)
    @blp.response(202, JobSchema)
    @blp.alt_response(422, description="Invalid matrix, landmark pairs or options; the message says which.")
    def post(self, body):
        """Align one of your cortical patches to the template."""
        owner = current_user_id()
        job_id = submit_on_own_store(owner, "align", body)
        return job_links(get_owned_job(job_id, owner), "align_api.AlignmentFiles")


@blp.route("/jobs/<job_id>/files")
class AlignmentFiles(MethodView):
    @blp.response(200, OutputFileSchema(many=True))
    @blp.alt_response(404, description="No such alignment job of yours.")
    @blp.alt_response(409, description="The job has not succeeded.")
    def get(self, job_id):
        """The files of a succeeded alignment: warps, affine, composite, report, resampled image."""
        return output_files(get_owned_job(job_id, current_user_id()), "align_api.AlignmentFile")


@blp.route("/jobs/<job_id>/files/<role>")
class AlignmentFile(MethodView):
    @blp.response(200, description="The file.", content_type="application/octet-stream")
    @blp.alt_response(404, description="No such job or file.")
    @blp.alt_response(409, description="The job has not succeeded.")
    def get(self, job_id, role):
        """Download one file of a succeeded alignment."""
        path = output_file(get_owned_job(job_id, current_user_id()), role)
        return send_file(path, as_attachment=True, download_name=path.name, max_age=0)
