"""``/api/v1/images``: the image store through cortico's own API (ids, not names)."""

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from cortico.web._uploads import image_store, store_uploaded_volume
from cortico.web.auth import current_user_id, require_token
from cortico.web.image_service import NiftiExtraSchema, download_response, own_base_url

__all__ = ["blp", "image_as_dict"]

blp = Blueprint(
    "images",
    __name__,
    url_prefix="/api/v1/images",
    description="NIfTI volumes of the image store (also served at `/image-service/` with Chumni's "
    "routes). You see your own volumes and public ones; another user's private volume "
    "answers 404.",
)
blp.before_request(require_token)

_FORMATS = ("gzip", "raw", "original")


class ImageSchema(Schema):
    id = fields.String(metadata={"description": "Unguessable volume id."})
    name = fields.String(metadata={"description": "File name without .nii/.nii.gz.", "example": "patch"})
    file_name = fields.String(metadata={"description": "File name as uploaded.", "example": "patch.nii.gz"})
    visibility = fields.String(metadata={"description": "private or public."})
    segmentation = fields.Boolean(metadata={"description": "Holds integer labels (a segmentation)."})
    own = fields.Boolean(metadata={"description": "True for your own volumes, false for others' public ones."})
    size_bytes = fields.Integer(metadata={"description": "Stored file size in bytes."})
    source_job_id = fields.String(allow_none=True, metadata={"description": "Job that produced it, if any."})
    created_at = fields.DateTime(metadata={"description": "Upload time (UTC)."})
    extra = fields.Nested(NiftiExtraSchema, metadata={"description": "Chumni NiftiExtra metadata."})
    links = fields.Dict(
        metadata={
            "description": "`self`, `download`, `normalized` (relative to the image "
            "service base URL) and `neuroglancer` (a `precomputed://` URL)."
        }
    )


class VisibilitySchema(Schema):
    visibility = fields.String(
        required=True,
        validate=validate.OneOf(["private", "public"]),
        metadata={"description": "private or public.", "example": "public"},
    )


class DownloadArgs(Schema):
    format = fields.String(
        load_default="original",
        validate=validate.OneOf(_FORMATS),
        metadata={"description": "gzip (.nii.gz), raw (.nii) or original (as uploaded)."},
    )


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["image"],
                "properties": {
                    "image": {"type": "string", "format": "binary", "description": "NIfTI file (.nii or .nii.gz)."},
                    "segmentation": {"type": "boolean", "description": "The volume holds integer labels."},
                    "visibility": {"type": "string", "enum": ["private", "public"], "description": "Default private."},
                },
            }
        }
    },
}


def image_as_dict(image, owner_id):
    """The API view of a volume."""
    store = image_store()
    normalized = store.normalized_link(image)
    return {
        "id": image.id,
        "name": image.name,
        "file_name": image.file_name,
        "visibility": image.visibility,
        "segmentation": image.segmentation,
        "own": image.owner_id == owner_id,
        "size_bytes": image.size_bytes,
        "source_job_id": image.source_job_id,
        "created_at": image.created_at,
        "extra": image.extra,
        "links": {
            "self": url_for("images.ImageById", image_id=image.id),
            "download": url_for("images.ImageDownload", image_id=image.id),
            "normalized": normalized,
            "neuroglancer": "precomputed://" + own_base_url() + normalized.lstrip("/"),
        },
    }


@blp.route("/")
class Images(MethodView):
    @blp.response(200, ImageSchema(many=True))
    def get(self):
        """Your volumes, then other users' public ones."""
        owner = current_user_id()
        return [image_as_dict(image, owner) for image in image_store().list_visible(owner)]

    @blp.doc(requestBody=_UPLOAD_BODY)
    @blp.response(201, ImageSchema)
    @blp.alt_response(409, description="You already have a volume of that name.")
    @blp.alt_response(413, description="Larger than the configured limits or the whole storage quota.")
    @blp.alt_response(422, description="Not a valid NIfTI volume (the message says why); nothing is stored.")
    @blp.alt_response(507, description="Your storage quota (bytes or number of volumes) is used up; nothing is stored.")
    def post(self):
        """Upload a NIfTI volume (multipart field `image`)."""
        owner = current_user_id()
        return image_as_dict(store_uploaded_volume(owner), owner)


@blp.route("/<image_id>")
class ImageById(MethodView):
    @blp.response(200, ImageSchema)
    @blp.alt_response(404, description="No such volume for you.")
    def get(self, image_id):
        """One volume (yours or public)."""
        owner = current_user_id()
        return image_as_dict(image_store().get(owner, image_id), owner)

    @blp.arguments(VisibilitySchema)
    @blp.response(200, ImageSchema)
    @blp.alt_response(404, description="No such volume of yours.")
    def patch(self, body, image_id):
        """Make one of your volumes private or public."""
        owner = current_user_id()
        return image_as_dict(image_store().set_visibility(owner, image_id, body["visibility"]), owner)

    @blp.response(204)
    @blp.alt_response(404, description="No such volume of yours.")
    def delete(self, image_id):
        """Delete one of your volumes with its files."""
        image_store().delete(current_user_id(), image_id)


@blp.route("/<image_id>/download")
class ImageDownload(MethodView):
    @blp.arguments(DownloadArgs, location="query", unknown=RAISE)
    @blp.response(200, description="The NIfTI file.")
    @blp.alt_response(404, description="No such volume for you.")
    def get(self, args, image_id):
        """Download a volume gzipped, raw or as uploaded."""
        store = image_store()
        return download_response(store, store.get(current_user_id(), image_id), args["format"])
