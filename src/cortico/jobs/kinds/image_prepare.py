"""Job kind ``images.prepare``: write an uploaded volume's Neuroglancer copy.

Large uploads are stored at once and converted here, in a worker, so that no web
request holds a thread (or memory) for the conversion; the image service answers
"being prepared" for the volume until this job is done.
"""

from cortico.db import Image, Job
from cortico.db.image_store import ImageStore
from cortico.exceptions import InputError, NotFoundError
from cortico.jobs._registry import JobKind, register_kind

__all__ = ["KIND"]


def validate(params):
    """``{"image_id": <id of a stored volume>}``."""
    image_id = params.get("image_id") if isinstance(params, dict) else None
    if not isinstance(image_id, str) or not image_id or len(image_id) > 32:
        raise InputError(f"image_id must be the id of a stored volume, got {image_id!r}")
    return {"image_id": image_id}


def run(context, params):
    """Convert the volume; returns ``{"image_id", "prepared"}`` (False when it was deleted meanwhile)."""
    runtime = context.runtime
    with runtime.db.session() as session:
        owner_id = session.get(Job, context.job_id).owner_id
        image = session.get(Image, params["image_id"])
    if image is None or image.owner_id != owner_id:  # only the owner's own volumes
        raise NotFoundError(f"There is no volume with id {params['image_id']!r}.")
    context.progress(0.0, 1, "preparing the volume for viewing", force=True)
    store = ImageStore(runtime.db, runtime.storage, runtime.settings)
    prepared = store.convert(params["image_id"])
    return {"image_id": params["image_id"], "prepared": prepared}


KIND = register_kind(
    JobKind("images.prepare", run, validate, "Neuroglancer precomputed copy of an uploaded volume (internal).")
)
