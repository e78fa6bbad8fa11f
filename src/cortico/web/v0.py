"""``/v0``: the cortical-voluba backend's HTTP API, kept exactly for the VoluBA frontend.

Requests and responses are the seed's (``{"status_polling_url": ...}``, status
``{finished, message, error?, results?}``, errors ``{"errors": [...]}``, the body
checked before the token), with its known faults fixed: an unknown computation id
answers 404, a failure's message says what went wrong, worker health never hangs.

The image service named by ``image_service_base_url`` is this server's own store
(used directly, the token must be a cortico token) or a remote Chumni service
allowed by ``REMOTE_IMAGE_SERVICES`` (the token is that service's and is forwarded
to it; it never enters the job queue or the job record, see
:mod:`cortico.jobs.credentials`).
"""

import hashlib
import shutil

from flask import current_app, jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import (
    EXCLUDE,
    INCLUDE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from cortico.align import MAX_LANDMARK_NAME_LENGTH, MAX_LANDMARK_PAIRS, parse_matrix
from cortico.db import Job, JobState, User
from cortico.db.accounts import user_for_token
from cortico.db.models import new_job_id
from cortico.exceptions import CorticoError, InputError
from cortico.jobs import submit_job
from cortico.jobs.credentials import store_credential
from cortico.jobs.image_services import (
    ImageServiceError,
    LocalImageService,
    RemoteImageService,
    check_remote_allowed,
    normalize_base_url,
)
from cortico.web._align_jobs import check_alignment_geometry, template_grid
from cortico.web._uploads import image_store
from cortico.web.api.health import job_service_state
from cortico.web.auth import bearer_token
from cortico.web.errors import status_for
from cortico.web.image_service import is_own_base_url
from cortico.web.schemas import refuse_long_list

__all__ = ["blp"]

blp = Blueprint(
    "v0",
    __name__,
    url_prefix="/v0",
    description="The cortical-voluba backend API (used by the VoluBA frontend): depth maps and "
    "non-linear alignment of cortical patches stored in an image service.",
)

_MISSING_TOKEN = "Missing Bearer token Authorization header"
_EXAMPLE_BASE = "https://cortico.example.org/image-service/"
_SEED_STATE = {
    JobState.QUEUED: "PENDING",
    JobState.RUNNING: "PROGRESS",
    JobState.SUCCEEDED: "SUCCESS",
    JobState.FAILED: "FAILURE",
    JobState.CANCELLED: "REVOKED",
}


# --- schemas -----------------------------------------------------------------------------------------------


class DepthMapComputationRequestSchema(Schema):
    image_service_base_url = fields.Url(
        schemes={"http", "https"},
        require_tld=False,
        required=True,
        metadata={
            "description": "Base URL of the image service: this server's `<server>/image-service/` or an "
            "allowed remote Chumni service.",
            "example": _EXAMPLE_BASE,
        },
    )
    segmentation_name = fields.String(
        required=True,
        validate=validate.Length(1, 255),
        metadata={
            "description": "`name` of the segmentation in the image service (file name without "
            ".nii/.nii.gz); labels 0 outside, 100 cortex, 200 white matter.",
            "example": "patch-segmentation",
        },
    )


class LandmarkPairSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    source_point = fields.List(
        fields.Float(allow_nan=False),
        required=True,
        validate=validate.Length(equal=3),
        metadata={"description": "Point in the template (mm).", "example": [1.0, 2.0, 3.0]},
    )
    target_point = fields.List(
        fields.Float(allow_nan=False),
        required=True,
        validate=validate.Length(equal=3),
        metadata={
            "description": "Matching point in the incoming volume (mm, Neuroglancer space of the incoming volume).",
            "example": [4.0, 5.0, 6.0],
        },
    )
    active = fields.Boolean(load_default=True, metadata={"description": "Pairs with active false are ignored."})
    name = fields.String(
        validate=validate.Length(max=MAX_LANDMARK_NAME_LENGTH),
        metadata={"description": f"Optional name of the pair (at most {MAX_LANDMARK_NAME_LENGTH} characters)."},
    )


class AlignmentComputationRequestSchema(Schema):
    image_service_base_url = fields.Url(
        schemes={"http", "https"},
        require_tld=False,
        required=True,
        metadata={"description": "Base URL of the image service.", "example": _EXAMPLE_BASE},
    )
    image_name = fields.String(
        required=True,
        validate=validate.Length(1, 255),
        metadata={"description": "`name` of the incoming cortical patch image."},
    )
    depth_map_name = fields.String(
        required=True,
        validate=validate.Length(1, 255),
        metadata={"description": "`name` of its equivolumetric depth map."},
    )
    transformation_matrix = fields.List(
        fields.List(fields.Float(allow_nan=False), validate=validate.Length(equal=4)),
        required=True,
        validate=validate.Length(3, 4),
        metadata={
            "description": "4x4 (or 3x4) affine from the incoming volume to the template, mm, row-major.",
            "example": [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
        },
    )
    landmark_pairs = fields.List(
        fields.Nested(LandmarkPairSchema),
        required=True,
        validate=validate.Length(max=MAX_LANDMARK_PAIRS),
        metadata={
            "description": "Landmark pairs; `source_point` is in the template, `target_point` in the "
            f"incoming volume. Other keys (e.g. `colour`) are ignored. At most {MAX_LANDMARK_PAIRS} pairs."
        },
    )

    @pre_load
    def _bounded_pairs(self, data, **_):
        return refuse_long_list(data, "landmark_pairs", MAX_LANDMARK_PAIRS)

    @validates_schema(skip_on_field_errors=True)
    def _invertible(self, data, **_):
        try:
            parse_matrix(data["transformation_matrix"])
        except CorticoError as exc:
            raise ValidationError(exc.message, field_name="transformation_matrix") from None


class ComputationCreatedSchema(Schema):
    status_polling_url = fields.String(
        metadata={
            "description": "Where to poll the computation's status, relative to this server.",
            "example": "/v0/depth-map-computation/0dCnR0vXkqV3rGJ5bLyC9A",
        }
    )


class DepthMapResultSchema(Schema):
    image_service_base_url = fields.String(metadata={"description": "Image service holding the depth map."})
    depth_map_name = fields.String(metadata={"description": "`name` of the uploaded depth map."})
    depth_map_neuroglancer_url = fields.String(
        allow_none=True, metadata={"description": "`precomputed://` URL of the depth map for Neuroglancer."}
    )
    undefined_fraction = fields.Float(
        allow_none=True,
        metadata={
            "description": "Extra field: fraction of the cortex voxels without a depth (set to 0.5); the "
            "computation fails above DEPTH_MAX_UNDEFINED_FRACTION (default 0.01)."
        },
    )


class AlignmentResultSchema(Schema):
    image_service_base_url = fields.String(metadata={"description": "Image service holding the result."})
    transformed_image_name = fields.String(metadata={"description": "`name` of the resampled image."})
    transformed_image_neuroglancer_url = fields.String(
        allow_none=True, metadata={"description": "`precomputed://` URL of the resampled image."}
    )
    transformation_matrix = fields.List(
        fields.List(fields.Float()),
        metadata={
            "description": "The affine to display the resampled image with in the template (the request's matrix, 4x4)."
        },
    )
    quality = fields.Dict(
        metadata={
            "description": "Extra (not in the seed): `depth_agreement` (improved, unchanged; a worse one fails the "
            "computation), `depth_mean_squared_difference_before/after` over the incoming cortex, "
            "`landmark_mean_residual_before/after_mm` (template space, null without landmarks), `warnings`."
        }
    )


class _StatusSchema(Schema):
    finished = fields.Boolean(metadata={"description": "True once the computation ended (no more polling)."})
    message = fields.String(
        metadata={
            "description": "State and progress for the user, e.g. `PROGRESS "
            "(computing the depth map)`; for a failure, why."
        }
    )
    error = fields.Boolean(metadata={"description": "Present and true when the computation failed."})


class DepthMapStatusSchema(_StatusSchema):
    results = fields.Nested(DepthMapResultSchema, metadata={"description": "Present once finished without error."})


class AlignmentStatusSchema(_StatusSchema):
    results = fields.Nested(AlignmentResultSchema, metadata={"description": "Present once finished without error."})


class V0ErrorSchema(Schema):
    class Meta:
        unknown = INCLUDE

    errors = fields.Raw(
        metadata={"description": "List of messages (for 400/422 from the body check: the invalid fields, by location)."}
    )
    code = fields.Integer(metadata={"description": "HTTP status (body-check errors only)."})
    status = fields.String(metadata={"description": "HTTP status phrase (body-check errors only)."})
    message = fields.String(metadata={"description": "Summary, when there is one."})


# --- routes --------------------------------------------------------------------------------------------------


@blp.route("/depth-map-computation/")
class DepthMapComputation(MethodView):
    @blp.arguments(DepthMapComputationRequestSchema)
    @blp.response(202, ComputationCreatedSchema)
    @blp.alt_response(400, schema=V0ErrorSchema, description="Image not found or not a segmentation.")
    @blp.alt_response(401, schema=V0ErrorSchema, description="No or invalid bearer token.")
    @blp.alt_response(500, schema=V0ErrorSchema, description="The image service is unreachable or failed.")
    def post(self, params):
        """Compute the equivolumetric depth map of a segmentation in an image service."""
        return _submit(
            "depth",
            params,
            {"segmentation_name": "segmentation"},
            {"segmentation_name": params["segmentation_name"]},
            "v0.DepthMapComputationStatus",
        )


@blp.route("/depth-map-computation/<computation_id>")
class DepthMapComputationStatus(MethodView):
    @blp.doc(security=[])
    @blp.response(200, DepthMapStatusSchema)
    @blp.alt_response(404, schema=V0ErrorSchema, description="No such computation.")
    def get(self, computation_id):
        """Poll a depth-map computation."""
        return _status("depth", computation_id, DepthMapResultSchema)


@blp.route("/alignment-computation/")
class AlignmentComputation(MethodView):
    @blp.arguments(AlignmentComputationRequestSchema)
    @blp.response(202, ComputationCreatedSchema)
    @blp.alt_response(400, schema=V0ErrorSchema, description="Image not found or of the wrong type.")
    @blp.alt_response(401, schema=V0ErrorSchema, description="No or invalid bearer token.")
    @blp.alt_response(500, schema=V0ErrorSchema, description="The image service is unreachable or failed.")
    def post(self, params):
        """Align a cortical patch to the template (SyN on depth maps, landmarks used)."""
        job_params = {
            key: params[key] for key in ("image_name", "depth_map_name", "transformation_matrix", "landmark_pairs")
        }
        return _submit(
            "align",
            params,
            {"image_name": "image", "depth_map_name": "image"},
            job_params,
            "v0.AlignmentComputationStatus",
        )


@blp.route("/alignment-computation/<computation_id>")
class AlignmentComputationStatus(MethodView):
    @blp.doc(security=[])
    @blp.response(200, AlignmentStatusSchema)
    @blp.alt_response(404, schema=V0ErrorSchema, description="No such computation.")
    def get(self, computation_id):
        """Poll an alignment computation."""
        return _status("align", computation_id, AlignmentResultSchema)


@blp.route("/worker-health")
class WorkerHealth(MethodView):
    @blp.doc(security=[])
    @blp.response(
        200,
        description="A worker is alive and the template depth map is available: `{message, template: {source "
        "(TEMPLATE_DEPTH_PATH or fsaverage), path, shape, voxel_size, description}}` (the seed's body was empty).",
    )
    @blp.alt_response(
        500,
        description="`{message}`: no worker, or the template is missing. Answers within "
        "`WORKER_HEALTH_TIMEOUT_SECONDS`.",
    )
    def get(self):
        """Whether the computations can run: a live worker and the template depth map."""
        try:
            state = job_service_state(current_app._get_current_object())
        except (TimeoutError, SQLAlchemyError) as exc:
            return {"message": f"The worker status could not be read: {exc}."}, 500
        if state["problem"]:
            return {"message": state["problem"]}, 500
        workers = state["workers"]
        problem = _template_problem(current_app.config)
        if problem:
            return {"message": problem}, 500
        template = _template_description(current_app.config)
        return {"message": f"{workers} worker(s) alive; template: {template['description']}", "template": template}


# --- helpers -------------------------------------------------------------------------------------------------


def _errors(status, *messages):
    response = jsonify({"errors": list(messages)})
    response.status_code = status
    return response


def _submit(kind, params, names, job_params, status_endpoint):
    """Check the token and the images, then queue the job; the seed's order and error bodies."""
    token = bearer_token()
    if token is None:
        return _errors(401, _MISSING_TOKEN)
    base_url = normalize_base_url(params["image_service_base_url"])
    local = is_own_base_url(base_url)
    db = current_app.extensions["cortico.db"]
    with db.session() as session:
        user = user_for_token(session, token)
        user_id = user.id if user is not None else None
    try:
        if local:
            if user_id is None:
                return _errors(401, "Invalid or revoked API token.")
            service = LocalImageService(image_store(), user_id, base_url)
            owner_id = user_id
        else:
            check_remote_allowed(current_app.config, base_url)
            service = RemoteImageService(base_url, token)
            owner_id = user_id if user_id is not None else _remote_owner(base_url)
        for key, expected_type in names.items():
            problem = _check_image(service, params[key], expected_type)
            if problem:
                return _errors(400, problem)
        if kind == "align":
            try:
                check_alignment_geometry(service, params)
            except InputError as exc:  # an alignment that cannot be right: refused before it is queued
                return _errors(422, *(exc.problems or [exc.message]))
    except ImageServiceError as exc:
        return _errors(401 if exc.status == 401 else 500, exc.message)
    except CorticoError as exc:
        return _errors(400 if status_for(exc) in (404, 422) else status_for(exc), exc.message)

    celery = current_app.extensions["celery"]
    job_id = new_job_id()
    folder = celery.cortico.job_folder(job_id)
    try:
        if not local:
            store_credential(current_app.config, folder, token)
        submit_job(
            celery,
            owner_id,
            kind,
            {**job_params, "image_service_base_url": base_url, "image_service_local": local},
            job_id=job_id,
        )
    except CorticoError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        return _errors(status_for(exc), exc.message)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return {"status_polling_url": url_for(status_endpoint, computation_id=job_id)}, 202


def _check_image(service, name, expected_type):
    """The seed's checks: the image exists and is of the expected Neuroglancer type."""
    entry = service.info(name)
    if entry is None:
        return f"Cannot find an image named '{name}' on the image service"
    actual = ((entry.get("extra") or {}).get("neuroglancer") or {}).get("type", "image")
    if actual != expected_type:
        return f"The image named '{name}' is not of '{expected_type}' type"
    return None


def _remote_owner(base_url):
    """The account owning jobs submitted with a remote service's (non-cortico) token."""
    name = "remote-" + hashlib.sha256(base_url.encode()).hexdigest()[:16]
    db = current_app.extensions["cortico.db"]
    with db.session() as session:
        existing = session.execute(select(User.id).where(User.name == name)).scalar()
    if existing is not None:
        return existing
    try:
        with db.session() as session:
            user = User(name=name)
            session.add(user)
            session.flush()
            return user.id
    except IntegrityError:  # created concurrently by another request
        with db.session() as session:
            return session.execute(select(User.id).where(User.name == name)).scalar_one()


def _status(kind, computation_id, result_schema):
    db = current_app.extensions["cortico.db"]
    with db.session() as session:
        job = session.get(Job, computation_id) if len(computation_id) <= 64 else None
    if job is None or job.kind != kind:
        return _errors(404, f"No computation with id {computation_id!r}.")
    state = JobState(job.state)
    seed_state = _SEED_STATE[state]
    if state == JobState.QUEUED:
        return {"finished": False, "message": seed_state}
    if state == JobState.RUNNING:
        return {"finished": False, "message": f"{seed_state} ({job.progress_message})"}
    if state == JobState.SUCCEEDED:
        results = {key: (job.result or {}).get(key) for key in result_schema().fields}
        return {"finished": True, "message": f"{seed_state} (success)", "results": results}
    reason = job.error if state == JobState.FAILED else job.progress_message
    return {"finished": True, "error": True, "message": f"{seed_state} ({reason or 'no details'})"}


def _template_description(config):
    """Which template depth map the workers align to (from this host's configuration)."""
    configured = config.get("TEMPLATE_DEPTH_PATH")
    grid = template_grid(config)
    shape = list(grid.shape) if grid else None
    voxel_size = [round(v, 4) for v in grid.voxel_size] if grid else None
    size = f", {'x'.join(map(str, shape))} voxels of {'x'.join(f'{v:g}' for v in voxel_size)} mm" if grid else ""
    if configured:
        description = f"{configured} (TEMPLATE_DEPTH_PATH){size}"
        source, path = "TEMPLATE_DEPTH_PATH", configured
    else:
        description = (
            f"fsaverage's depth map{size}, for trying cortico alone: VoluBA's matrices and landmarks are in "
            "BigBrain space, set TEMPLATE_DEPTH_PATH to the BigBrain depth map"
        )
        source, path = "fsaverage", None
    return {"source": source, "path": path, "shape": shape, "voxel_size": voxel_size, "description": description}


def _template_problem(config):
    """Why the template depth map cannot be had here, or None."""
    from pathlib import Path

    configured = config.get("TEMPLATE_DEPTH_PATH")
    if configured:
        if not Path(configured).is_file():
            return f"The template depth map {configured} (TEMPLATE_DEPTH_PATH) does not exist."
        return None
    from cortico.depth import fsaverage_ribbon_path

    try:
        fsaverage_ribbon_path()
    except CorticoError as exc:
        return f"The template equivolumetric depth cannot be computed: {exc.message}"
    return None
