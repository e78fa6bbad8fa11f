"""Receiving volume uploads: multipart bodies streamed straight to the store's staging folder."""

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, request
from werkzeug.exceptions import ClientDisconnected
from werkzeug.formparser import FormDataParser

from cortico.db.image_store import ImageStore
from cortico.exceptions import CorticoError, InputError, LimitExceededError

__all__ = ["Upload", "image_store", "receive_upload"]


def image_store():
    """The app's :class:`ImageStore` (created on first use)."""
    store = current_app.extensions.get("cortico.image_store")
    if store is None:
        config = current_app.config
        store = ImageStore(current_app.extensions["cortico.db"], config["STORAGE_PATH"], config)
        current_app.extensions["cortico.image_store"] = store
    return store


@dataclass
class Upload:
    """One uploaded file on disk and the form's other fields.

    Attributes
    ----------
    path : pathlib.Path
        Where the file part was written (in the store's staging folder).
    file_name : str
        The client's file name, reduced to its last path component.
    size : int
        Bytes received.
    form : werkzeug.datastructures.MultiDict
        The non-file fields.
    """

    path: Path
    file_name: str
    size: int
    form: object


@contextmanager
def receive_upload(field="image", max_bytes=None, whole_file=True):
    """Parse this request's multipart body, writing file parts to disk as they arrive.

    Werkzeug would spool file parts into the system's temporary folder; here each
    part goes to its own file in the store's staging folder, so an upload is never
    held in memory and needs no second copy. Files not handed out are removed on
    exit, the handed-out one too unless the caller moved it.

    Parameters
    ----------
    field : str
        Name of the file field.
    max_bytes : int, optional
        Refuse the file when ``X-CHUNMA-FILESIZE`` announces more (a preflight thus
        learns that the upload would be refused; a body larger than
        ``MAX_CONTENT_LENGTH`` is refused by Flask before it is read).
    whole_file : bool
        The part must be as large as ``X-CHUNMA-FILESIZE`` says (False for a
        preflight, which sends only the first bytes of the file).

    Yields
    ------
    Upload

    Raises
    ------
    InputError
        Not a multipart body, no ``field`` file, or fewer bytes than announced.
    """
    if request.mimetype != "multipart/form-data":
        raise InputError(
            f"send the file as multipart/form-data with the field {field!r}, "
            f"got Content-Type {request.mimetype or 'none'!r}"
        )
    announced = _announced_size()
    store = image_store()
    written = []
    try:
        if "files" in request.__dict__:
            # Something (the pages' CSRF check) parsed the body already: werkzeug spooled the
            # parts to temporary files; they are copied into the staging folder.
            form, files = request.form, _copy_parsed_files(request.files, store, written)
        else:
            form, files = _parse(store, written)
        part = files.get(field)
        if part is None or not part.filename:
            raise InputError(f"the multipart body has no file field {field!r}")
        path = Path(part.stream.name)
        size = path.stat().st_size
        if whole_file and announced is not None and size != announced:
            raise InputError(
                f"the upload is truncated or padded: X-CHUNMA-FILESIZE announced {announced} bytes, {size} arrived"
            )
        if max_bytes is not None and announced is not None and announced > max_bytes:
            raise LimitExceededError(f"The file is {announced} bytes; the limit for uploads is {max_bytes} bytes.")
        file_name = part.filename.replace("\\", "/").rsplit("/", 1)[-1]
        yield Upload(path=path, file_name=file_name, size=size, form=form)
    finally:
        for path in written:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass


def _parse(store, written):
    """Parse the multipart body, each file part streamed into its own staging file."""

    def stream_factory(total_content_length, content_type, filename, content_length=None):
        path = store.staging_file()
        written.append(path)
        return open(path, "wb+")

    parser = FormDataParser(
        stream_factory=stream_factory,
        max_form_memory_size=request.max_form_memory_size,
        max_content_length=request.max_content_length,
        max_form_parts=request.max_form_parts,
        cls=request.parameter_storage_class,
        silent=False,
    )
    try:
        _, form, files = parser.parse(request.stream, request.mimetype, request.content_length, request.mimetype_params)
    except (ValueError, ClientDisconnected) as exc:
        raise InputError(f"the multipart body is malformed or was cut off ({exc})") from None
    for storage in files.values():
        storage.stream.close()
    return form, files


def _copy_parsed_files(files, store, written):
    from werkzeug.datastructures import FileStorage, MultiDict

    copies = MultiDict()
    for key, storage in files.items(multi=True):
        path = store.staging_file()
        written.append(path)
        with open(path, "wb") as target:
            shutil.copyfileobj(storage.stream, target, 1 << 20)
        with open(path, "rb") as handle:  # only its name is used
            pass
        copies.add(key, FileStorage(handle, filename=storage.filename, name=key))
    return copies


def _announced_size():
    value = request.headers.get("X-CHUNMA-FILESIZE")
    if value is None or value.strip() == "":
        return None
    try:
        size = int(value)
    except ValueError:
        raise InputError(f"X-CHUNMA-FILESIZE must be a whole number of bytes, got {value!r}") from None
    if size < 0:
        raise InputError(f"X-CHUNMA-FILESIZE must not be negative, got {size}")
    return size


def form_flag(form, name, header=None, default=False):
    """A true/false form field (or request header), e.g. ``X-CHUNMA-SEGMENTATION: true``."""
    value = request.headers.get(header) if header else None
    if value is None:
        value = form.get(name)
    if value is None or value == "":
        return default
    lowered = str(value).strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off"):
        return False
    raise InputError(f"{header or name} must be true or false, got {value!r}")


def store_uploaded_volume(owner_id, field="image", segmentation_header="X-CHUNMA-SEGMENTATION"):
    """Stream the NIfTI upload in ``field`` to disk, check it and store it for ``owner_id``.

    The segmentation flag comes from the Chumni header or the ``segmentation``
    form field, the visibility from the ``visibility`` field (default private).
    A volume whose Neuroglancer copy exceeds ``IMAGE_CONVERT_INLINE_MAX_BYTES`` is
    converted by an ``images.prepare`` job, not in this request. Returns the
    stored :class:`~cortico.db.Image`; nothing is kept on error.
    """
    with receive_upload(field) as upload:
        store = image_store()
        image = store.add_file(
            owner_id,
            upload.path,
            upload.file_name,
            segmentation=form_flag(upload.form, "segmentation", header=segmentation_header),
            visibility=upload.form.get("visibility", "private"),
            move=True,
            convert_inline_max_bytes=int(current_app.config["IMAGE_CONVERT_INLINE_MAX_BYTES"]),
        )
    if not store.precomputed_ready(image):
        _prepare_in_a_job(store, image)
    return image


def _prepare_in_a_job(store, image):
    """Queue the Neuroglancer conversion of a large upload (the volume itself is stored already)."""
    from cortico.db.models import new_job_id
    from cortico.jobs import submit_job

    job_id = new_job_id()
    store.set_files(image.id, prepare_job=job_id)
    image.files = {**image.files, "prepare_job": job_id}
    try:
        submit_job(
            current_app.extensions["celery"],
            image.owner_id,
            "images.prepare",
            {"image_id": image.id},
            job_id=job_id,
            count_in_flight=False,
        )
    except CorticoError as exc:  # the queue is down: the failed job says so, and the viewer URLs too
        current_app.logger.error("could not queue the preparation of volume %s: %s", image.id, exc.message)
