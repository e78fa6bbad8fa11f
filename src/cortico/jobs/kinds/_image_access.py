"""What the depth and alignment jobs share: which image service, and result names."""

import secrets

from cortico.db.image_store import ImageStore, utc_timestamp
from cortico.exceptions import ConflictError, InputError
from cortico.jobs.credentials import delete_credential, load_credential
from cortico.jobs.image_services import (
    LocalImageService,
    RemoteImageService,
    check_remote_allowed,
    normalize_base_url,
)
from cortico.jobs.kinds import _image_retention  # noqa: F401  (registers the volumes' expiry)

__all__ = ["open_image_service", "release_image_service", "upload_unique", "validate_name", "validate_service"]


def validate_service(params):
    """The image-service part of job parameters, checked and normalised.

    ``image_service_base_url`` (optional) is where volumes are read and written;
    ``image_service_local`` (default: no base URL given) says it is this server's
    own store, used directly. A remote service needs a base URL.
    """
    base_url = params.get("image_service_base_url")
    if base_url is not None:
        if not isinstance(base_url, str):
            raise InputError(f"image_service_base_url must be a string, got {base_url!r}")
        base_url = normalize_base_url(base_url)
    local = params.get("image_service_local", base_url is None)
    if not isinstance(local, bool):
        raise InputError(f"image_service_local must be true or false, got {local!r}")
    if not local and base_url is None:
        raise InputError("a remote image service needs image_service_base_url")
    return {"image_service_base_url": base_url, "image_service_local": local}


def validate_name(params, key):
    """A volume name parameter: a non-empty string of at most 255 characters."""
    value = params.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        shown = repr(value)[:60] + ("..." if len(repr(value)) > 60 else "")
        raise InputError(f"{key} must be the name of a volume in the image service (1-255 characters), got {shown}")
    return value


def open_image_service(context, params):
    """The service a job reads from and writes to (the owner's store, or a remote one).

    A remote service must still be allowed by ``REMOTE_IMAGE_SERVICES`` when the
    job runs; its bearer token comes from the job's encrypted credential file.
    """
    runtime = context.runtime
    base_url = params["image_service_base_url"]
    if params["image_service_local"]:
        with runtime.db.session() as session:
            from cortico.db import Job

            owner_id = session.get(Job, context.job_id).owner_id
        store = ImageStore(runtime.db, runtime.storage, runtime.settings)
        return LocalImageService(store, owner_id, base_url, job_id=context.job_id)
    check_remote_allowed(runtime.settings, base_url)
    return RemoteImageService(base_url, load_credential(runtime.settings, context.folder))


def release_image_service(context):
    """Forget the job's credential (called when the job ends, however it ends)."""
    delete_credential(context.folder)


def upload_unique(service, path, stem, segmentation=False, timestamped=False):
    """Upload ``path`` as ``<stem>.nii.gz``, or ``<stem>-<UTC time>.nii.gz`` if taken.

    Returns
    -------
    name : str
        The volume's name on the service.
    entry : dict or None
        Its ``UserDatasetEntry``.
    """
    stamp = f"{stem}-{utc_timestamp()}"
    candidates = ([] if timestamped else [stem]) + [stamp]
    for candidate in candidates:
        if service.name_taken(candidate):
            continue
        try:
            return service.upload(path, f"{candidate}.nii.gz", segmentation=segmentation)
        except ConflictError:
            continue  # taken in the meantime by another job
    return service.upload(path, f"{stamp}-{secrets.token_hex(3)}.nii.gz", segmentation=segmentation)
