"""Which atlas a painting request names: a bundled one, or one of its owner's imported ones."""

import functools
from collections.abc import Mapping
from pathlib import Path

from cortico.exceptions import NotFoundError

__all__ = ["IMPORTED_PREFIX", "atlas_store", "load_paint_atlas", "owner_atlases"]

#: Settings name an imported atlas as ``user:<its name>``.
IMPORTED_PREFIX = "user:"


def atlas_store(settings: Mapping):
    """The store of imported atlases (``<STORAGE_PATH>/atlases``) of cortico ``settings``."""
    from cortico.atlases import AtlasStore

    return AtlasStore(Path(settings["STORAGE_PATH"]) / "atlases")


@functools.lru_cache(maxsize=8)
def _bundled_atlas(name, mesh):
    from cortico.atlases import load_atlas

    return load_atlas(name, mesh=mesh)


@functools.lru_cache(maxsize=8)
def _stored_atlas(root, owner, atlas_id):
    from cortico.atlases import AtlasStore

    return AtlasStore(root).load(owner, atlas_id)


def load_paint_atlas(name, store=None, owner=None, mesh="fsaverage"):
    """The atlas called ``name``, loaded once per process (geometry loads lazily).

    Parameters
    ----------
    name : str
        A bundled atlas (``"dk"``...), or ``"user:<name>"`` for one of ``owner``'s
        imported atlases in ``store``.
    store : cortico.atlases.AtlasStore, optional
    owner : int or str, optional
    mesh : str
        Template mesh of a bundled atlas (``fsaverage``, ``fsaverage6``, ``fsaverage5``);
        imported atlases keep their own surfaces.

    Returns
    -------
    cortico.atlases.Atlas

    Raises
    ------
    NotFoundError
        No atlas has this name (for this owner).
    InputError
        Unknown mesh, or a lighter mesh for the flat mouse map.
    """
    text = str(name).strip()
    if text.lower().startswith(IMPORTED_PREFIX):
        if store is None or owner is None:
            raise NotFoundError(
                f"Atlas {text!r} is an imported atlas; paint with it through "
                "POST /api/v1/paint/jobs or the painting page."
            )
        atlas_id = store.find(str(owner), text[len(IMPORTED_PREFIX) :])
        return _stored_atlas(str(store.root), str(owner), atlas_id)
    return _bundled_atlas(text, mesh)


def owner_atlases(store, owner) -> list:
    """The imported atlases of ``owner`` (StoredAtlas entries), none for anonymous callers."""
    if store is None or owner is None:
        return []
    return store.list(str(owner))
