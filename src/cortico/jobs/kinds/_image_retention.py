"""Expiry of image-store volumes, run by the workers' retention sweep."""

from datetime import timedelta

from cortico.db.image_store import ImageStore
from cortico.db.models import utcnow
from cortico.jobs import register_purger

__all__ = ["purge_images"]


@register_purger
def purge_images(runtime, cutoff):
    """Delete anonymous owners' volumes older than ``cutoff`` and leftover files.

    Registered users' volumes are kept, unless ``IMAGE_RETENTION_SECONDS`` is set.
    Returns the number of volumes and leftovers removed.
    """
    store = ImageStore(runtime.db, runtime.storage, runtime.settings)
    removed = store.purge(cutoff, keep_registered=True)
    keep_for = runtime.settings.get("IMAGE_RETENTION_SECONDS")
    if keep_for:
        removed += store.purge(utcnow() - timedelta(seconds=float(keep_for)), keep_registered=False)
    return removed
