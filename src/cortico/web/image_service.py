"""``/image-service/``: the image store behind Chumni's routes and JSON shapes.

VoluBA and the cortical-voluba backend talk to an image service by base URL and
bearer token: ``list``, ``upload``, ``preflight``, ``download/<name>[.nii|.nii.gz]``,
``DELETE <links.normalized>``, and ``precomputed://<base><links.normalized>`` for
Neuroglancer. Here the base URL is ``<server>/image-service/`` and the tokens are
cortico's. Every route but the precomputed volume needs a token and sees the
user's own volumes plus public ones; the precomputed volume is read by
Neuroglancer without credentials, so its URL carries an unguessable key instead.

The base URL works with and without its trailing slash: VoluBA appends ``/list``
to ``<server>/image-service/`` and Neuroglancer is given
``precomputed://<server>/image-service//nifti/<key>``, so doubled slashes after
``/image-service`` are merged before routing (werkzeug would answer them with a
308 redirect, which browsers refuse for CORS preflights).
"""

import gzip
import json
import re
import zlib
from urllib.parse import quote, urlsplit

from flask import (
    Response,
    abort,
    current_app,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.utils import secure_filename

from cortico.exceptions import NotFoundError
from cortico.web._uploads import form_flag, image_store, receive_upload, store_uploaded_volume
from cortico.web.auth import current_user_id, require_token
from cortico.web.errors import error_response

__all__ = ["PREFIX", "MergeSlashes", "blp", "download_response", "is_own_base_url", "own_base_url"]

PREFIX = "/image-service"

blp = Blueprint(
    "image_service",
    __name__,
    url_prefix=PREFIX,
    description="Chumni-compatible image service (base URL `<server>/image-service/`): per-user NIfTI volumes "
    "and their Neuroglancer precomputed copies. Another user's private volume answers 404.",
)

_SLASHES = re.compile(r"/{2,}")
_PUBLIC_ENDPOINTS = {"image_service.PrecomputedInfo", "image_service.PrecomputedChunk"}
_CHUNK_NAME = re.compile(r"^(\d{1,9})-(\d{1,9})_(\d{1,9})-(\d{1,9})_(\d{1,9})-(\d{1,9})$")
_TRANSFER = 1 << 20


class MergeSlashes:
    """WSGI middleware serving ``/image-service//x`` as ``/image-service/x`` (no redirect)."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PREFIX + "/") and "//" in path:
            environ["PATH_INFO"] = _SLASHES.sub("/", path)
        return self.wsgi_app(environ, start_response)


@blp.record_once
def _merge_doubled_slashes(state):
    state.app.wsgi_app = MergeSlashes(state.app.wsgi_app)


@blp.before_request
def _authenticate():
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return None
    return require_token()


class NiftiExtraSchema(Schema):
    fileName = fields.String(metadata={"description": "Uploaded file name.", "example": "patch.nii.gz"})
    fileSize = fields.Integer(allow_none=True, metadata={"description": "Stored size in bytes."})
    fileSizeUncompressed = fields.Integer(metadata={"description": "Size of the uncompressed NIfTI in bytes."})
    uploaded = fields.String(metadata={"description": "Upload time, ISO 8601 UTC."})
    nifti = fields.Dict(
        metadata={
            "description": "Header facts: niftiVersion, byteOrder, size, voxelSize, "
            "spatialUnits, temporalUnits, dataType, slope, calMax, "
            "description, coordinateSystem, intentName, affineMatrix."
        }
    )
    data = fields.Dict(metadata={"description": "minValue and maxValue of the voxels (absent for a preflight)."})
    neuroglancer = fields.Dict(
        metadata={
            "description": "How Neuroglancer shows it: type (image/segmentation), "
            "data_type, size, resolution (nm), transform (nm)."
        }
    )
    warnings = fields.List(fields.String(), metadata={"description": "Problems that did not prevent the upload."})


class LinksSchema(Schema):
    normalized = fields.String(
        metadata={
            "description": "Path of the Neuroglancer precomputed volume, relative to "
            "the base URL; also the URL to DELETE the volume.",
            "example": "/nifti/0dCnR0vXkqV3rGJ5bLyC9A",
        }
    )


class UserDatasetEntrySchema(Schema):
    name = fields.String(metadata={"description": "File name without .nii/.nii.gz.", "example": "patch"})
    visibility = fields.String(metadata={"description": "private or public.", "example": "private"})
    links = fields.Nested(LinksSchema, metadata={"description": "URLs of the volume."})
    extra = fields.Nested(NiftiExtraSchema, metadata={"description": "NiftiExtra metadata."})


_UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["image"],
                "properties": {
                    "image": {
                        "type": "string",
                        "format": "binary",
                        "description": "The NIfTI file; its name must end with .nii or .nii.gz.",
                    },
                    "visibility": {
                        "type": "string",
                        "enum": ["private", "public"],
                        "description": "Who may see it (default private).",
                    },
                },
            }
        }
    },
}
_UPLOAD_HEADERS = [
    {
        "name": "X-CHUNMA-FILESIZE",
        "in": "header",
        "schema": {"type": "integer"},
        "description": "Size of the whole file in bytes (an upload of another size is refused).",
    },
    {
        "name": "X-CHUNMA-SEGMENTATION",
        "in": "header",
        "schema": {"type": "string", "enum": ["true", "false"]},
        "description": "true when the volume holds integer labels.",
    },
]


@blp.route("/list")
class ImageList(MethodView):
    @blp.response(200, UserDatasetEntrySchema(many=True))
    def get(self):
        """Your volumes, then other users' public ones."""
        store = image_store()
        return [store.entry(image) for image in store.list_visible(current_user_id())]


@blp.route("/upload")
class ImageUpload(MethodView):
    @blp.doc(requestBody=_UPLOAD_BODY, parameters=_UPLOAD_HEADERS)
    @blp.response(200, NiftiExtraSchema)
    @blp.alt_response(409, description="You already have a volume of that name.")
    @blp.alt_response(413, description="The file is larger than the configured limits or the whole storage quota.")
    @blp.alt_response(422, description="Not a valid NIfTI volume (the message says why); nothing is stored.")
    @blp.alt_response(507, description="Your storage quota (bytes or number of volumes) is used up; nothing is stored.")
    def post(self):
        """Upload a NIfTI volume (streamed to disk, checked, converted for Neuroglancer)."""
        return store_uploaded_volume(current_user_id()).extra


@blp.route("/preflight")
class ImagePreflight(MethodView):
    @blp.doc(requestBody=_UPLOAD_BODY, parameters=_UPLOAD_HEADERS)
    @blp.response(200, NiftiExtraSchema)
    @blp.alt_response(409, description="You already have a volume of that name.")
    @blp.alt_response(413, description="X-CHUNMA-FILESIZE is above the upload limit.")
    @blp.alt_response(422, description="The header is not valid NIfTI.")
    def post(self):
        """Check an upload from the file's first 2048 bytes; nothing is stored."""
        from cortico.images import PREFLIGHT_BYTES, preflight_nifti

        store = image_store()
        with receive_upload(
            "image", max_bytes=current_app.config.get("MAX_CONTENT_LENGTH"), whole_file=False
        ) as upload:
            store.check_name_free(current_user_id(), upload.file_name)
            with open(upload.path, "rb") as stream:
                first_bytes = stream.read(PREFLIGHT_BYTES)
            segmentation = form_flag(upload.form, "segmentation", header="X-CHUNMA-SEGMENTATION")
            announced = request.headers.get("X-CHUNMA-FILESIZE")
            return preflight_nifti(
                first_bytes,
                upload.file_name,
                segmentation=segmentation,
                file_size=int(announced) if announced and announced.isdigit() else None,
            )


@blp.route("/download/<path:file_name>")
class ImageDownload(MethodView):
    @blp.response(200, description="The NIfTI file: gzipped for .nii.gz, raw for .nii, as uploaded otherwise.")
    @blp.alt_response(404, description="No such volume for you.")
    def get(self, file_name):
        """Download a volume as ``<name>.nii.gz``, ``<name>.nii`` or as uploaded (``<name>``)."""
        store = image_store()
        owner = current_user_id()
        for suffix, wanted in ((".nii.gz", "gzip"), (".nii", "raw")):
            if file_name.endswith(suffix):
                image = store.find(owner, file_name[: -len(suffix)])
                if image is not None:
                    return download_response(store, image, wanted)
        image = store.find(owner, file_name)
        if image is None:
            raise NotFoundError(f"Cannot find an image named {file_name!r}.")
        return download_response(store, image, "original")


@blp.route("/nifti/<link_key>")
class ImageByLink(MethodView):
    @blp.response(204)
    @blp.alt_response(404, description="No such volume of yours.")
    def delete(self, link_key):
        """Delete one of your volumes (its ``links.normalized`` URL)."""
        image = image_store().by_link_key(link_key)
        if image is None or image.owner_id != current_user_id():
            raise NotFoundError("No such image of yours.")
        image_store().delete(current_user_id(), image.id)


@blp.route("/nifti/<link_key>/info")
class PrecomputedInfo(MethodView):
    @blp.doc(security=[])
    @blp.response(200, description="Neuroglancer precomputed `info` (no authentication: the key is the secret).")
    @blp.alt_response(404, description="No such volume.")
    @blp.alt_response(503, description="The volume is still being prepared for viewing (`Retry-After`).")
    def get(self, link_key):
        """Neuroglancer precomputed ``info`` of a volume."""
        _, folder = _precomputed(link_key)
        response = Response((folder / "info").read_bytes(), mimetype="application/json")
        return _public(response)


@blp.route("/nifti/<link_key>/<scale_key>/<chunk_name>")
class PrecomputedChunk(MethodView):
    @blp.doc(security=[])
    @blp.response(200, description="One raw chunk `<x0>-<x1>_<y0>-<y1>_<z0>-<z1>` of a scale.")
    @blp.alt_response(404, description="No such volume, scale or chunk.")
    @blp.alt_response(503, description="The volume is still being prepared for viewing (`Retry-After`).")
    def get(self, link_key, scale_key, chunk_name):
        """One chunk of a Neuroglancer precomputed volume."""
        from neuroglancer_scripts.accessor import DataAccessError
        from neuroglancer_scripts.file_accessor import FileAccessor

        _, folder = _precomputed(link_key)
        info = json.loads((folder / "info").read_text())
        match = _CHUNK_NAME.match(chunk_name)
        if scale_key not in {scale["key"] for scale in info["scales"]} or match is None:
            raise NotFoundError(f"No chunk {scale_key}/{chunk_name} in this volume.")
        try:
            data = FileAccessor(str(folder), flat=False, gzip=False).fetch_chunk(
                scale_key, tuple(int(value) for value in match.groups())
            )
        except DataAccessError:
            raise NotFoundError(f"No chunk {scale_key}/{chunk_name} in this volume.") from None
        return _public(Response(data, mimetype="application/octet-stream"))


def own_base_url():
    """This server's image-service base URL as the current request sees it (ends with ``/``)."""
    return url_for("image_service.ImageList", _external=True)[: -len("list")]


def is_own_base_url(base_url):
    """Whether ``base_url`` names this server's image service (or one of ``IMAGE_SERVICE_ALIASES``)."""
    aliases = current_app.config.get("IMAGE_SERVICE_ALIASES") or []
    if isinstance(aliases, str):  # one URL given as plain text (e.g. from the environment)
        aliases = [aliases]
    candidates = [own_base_url(), *aliases]
    return _comparable(base_url) in {_comparable(candidate) for candidate in candidates}


def _comparable(url):
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path.rstrip("/") + "/"


def _precomputed(link_key):
    store = image_store()
    image = store.by_link_key(link_key)
    if image is None:
        raise NotFoundError("No such image.")
    if not store.precomputed_ready(image):
        abort(_being_prepared(image))
    return image, store.precomputed_path(image)


def _being_prepared(image):
    """503 + Retry-After while the ``images.prepare`` job writes the Neuroglancer copy."""
    from cortico.db import Job

    job_id = (image.files or {}).get("prepare_job")
    job = None
    if job_id:
        with current_app.extensions["cortico.db"].session() as session:
            job = session.get(Job, job_id)
    if job is not None and job.state in ("failed", "cancelled"):
        reason = job.error or "the preparation was cancelled"
        message = f"The volume could not be prepared for viewing ({reason}); delete it and upload it again."
    else:
        state = job.state if job is not None else "queued"
        done = f", {round(100 * job.progress)} % done" if state == "running" else ""
        message = f"The volume is being prepared for viewing ({state}{done}); try again in a few seconds."
    response = error_response(503, message)
    response.headers["Retry-After"] = "5"
    return _public(response)


def _public(response):
    # Neuroglancer runs on other origins and sends no credentials: any origin may read.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def download_response(store, image, wanted):
    """The stored NIfTI as ``wanted``: ``"gzip"``, ``"raw"`` or ``"original"`` (streamed)."""
    source = store.source_path(image)
    stored_gzip = source.name.endswith(".gz")
    if wanted == "original":
        return send_file(
            source,
            mimetype="application/gzip" if stored_gzip else "application/octet-stream",
            as_attachment=True,
            download_name=image.file_name,
        )
    name = f"{image.name}.nii.gz" if wanted == "gzip" else f"{image.name}.nii"
    if (wanted == "gzip") == stored_gzip:
        return send_file(
            source,
            mimetype="application/gzip" if stored_gzip else "application/octet-stream",
            as_attachment=True,
            download_name=name,
        )
    chunks = _gzip_chunks(source) if wanted == "gzip" else _gunzip_chunks(source)
    response = Response(
        stream_with_context(chunks), mimetype="application/gzip" if wanted == "gzip" else "application/octet-stream"
    )
    response.headers["Content-Disposition"] = _attachment(name)
    return response


def _attachment(name):
    ascii_name = secure_filename(name) or "volume.nii"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _gzip_chunks(path):
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with open(path, "rb") as stream:
        while block := stream.read(_TRANSFER):
            if out := compressor.compress(block):
                yield out
    yield compressor.flush()


def _gunzip_chunks(path):
    with gzip.open(path, "rb") as stream:
        while block := stream.read(_TRANSFER):
            yield block
