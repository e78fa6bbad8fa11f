"""Storage of imported atlases per owner, under a folder chosen by the caller.

Layout: ``<root>/<owner id>/<atlas id>/{atlas.json, arrays.npz}``. Only ids appear
in paths: owner ids are checked against ``[A-Za-z0-9_-]{1,64}``, atlas ids are
generated (32 hex digits). Saving writes a temporary folder and renames it.
"""

import json
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cortico.atlases._model import Atlas, Mesh, Region
from cortico.exceptions import ConflictError, InputError, NotFoundError

logger = logging.getLogger(__name__)

_OWNER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ATLAS_ID = re.compile(r"[0-9a-f]{32}")
_FORMAT = 1


@dataclass(frozen=True)
class StoredAtlas:
    """Listing entry of a stored atlas."""

    id: str
    name: str
    title: str
    n_regions: int
    created: float


def _mesh_arrays(prefix, mesh):
    return {f"{prefix}_vertices": mesh.vertices, f"{prefix}_faces": mesh.faces, f"{prefix}_normals": mesh.normals}


def _mesh_from(arrays, prefix):
    return Mesh(arrays[f"{prefix}_vertices"], arrays[f"{prefix}_faces"], arrays[f"{prefix}_normals"])


class AtlasStore:
    """Save, load, list and delete imported atlases of each owner.

    Parameters
    ----------
    root_dir : str or Path
        Folder owned by the application (created when missing).
    """

    def __init__(self, root_dir):
        self.root = Path(root_dir)

    def _owner_dir(self, owner):
        owner = str(owner)
        if not _OWNER.fullmatch(owner):
            raise InputError(f"Invalid owner id {owner!r}: use 1-64 letters, digits, '_' or '-'.")
        return self.root / owner

    def _atlas_dir(self, owner, atlas_id):
        atlas_id = str(atlas_id)
        if not _ATLAS_ID.fullmatch(atlas_id):
            raise NotFoundError(f"No stored atlas {atlas_id!r}.")
        folder = self._owner_dir(owner) / atlas_id
        if not (folder / "atlas.json").is_file():
            raise NotFoundError(f"No stored atlas {atlas_id!r} for this owner.")
        return folder

    def list(self, owner) -> list[StoredAtlas]:
        """The owner's atlases, oldest first (list of StoredAtlas)."""
        folder = self._owner_dir(owner)
        entries = []
        if folder.is_dir():
            for child in folder.iterdir():
                meta_file = child / "atlas.json"
                if not (_ATLAS_ID.fullmatch(child.name) and meta_file.is_file()):
                    continue
                try:
                    meta = json.loads(meta_file.read_text())
                    entries.append(
                        StoredAtlas(child.name, meta["name"], meta["title"], len(meta["regions"]), meta["created"])
                    )
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    logger.warning("Skipping unreadable stored atlas %s (%s)", child, exc)
        return sorted(entries, key=lambda entry: (entry.created, entry.id))

    def find(self, owner, name) -> str:
        """Id of the owner's atlas called ``name`` (case-insensitive)."""
        for entry in self.list(owner):
            if entry.name.lower() == str(name).strip().lower():
                return entry.id
        raise NotFoundError(f"You have no imported atlas named {name!r}.")

    def save(self, owner, atlas) -> str:
        """Store ``atlas`` for ``owner`` and return its new id.

        Raises
        ------
        ConflictError
            The owner already has an atlas with this name.
        """
        folder = self._owner_dir(owner)
        if any(entry.name.lower() == atlas.name.lower() for entry in self.list(owner)):
            raise ConflictError(f"You already have an atlas named {atlas.name!r}.")
        arrays, surfaces, meshes = {}, [], []
        for kind, hemi in atlas.surfaces:
            if not atlas.template:  # template surfaces are loaded from the bundled data, not copied
                arrays.update(_mesh_arrays(f"surface_{kind}_{hemi}", atlas.surface(kind, hemi)))
            surfaces.append([kind, hemi])
        for hemi in atlas.vertex_labels:
            arrays[f"labels_{hemi}"] = atlas.vertex_regions(hemi)
        for region in atlas.regions:
            if region.key in atlas.region_meshes:
                arrays.update(_mesh_arrays(f"mesh_{region.index}", atlas.subcortical_mesh(region)))
                meshes.append(region.index)
        meta = {
            "format": _FORMAT,
            "name": atlas.name,
            "title": atlas.title,
            "space": atlas.space,
            "description": atlas.description,
            "template": atlas.template,
            "created": time.time(),
            "regions": [
                {"name": r.name, "hemi": r.hemi, "kind": r.kind, "color": list(r.color), "label_id": r.label_id}
                for r in atlas.regions
            ],
            "surfaces": surfaces,
            "vertex_labels": list(atlas.vertex_labels),
            "meshes": meshes,
        }
        atlas_id = uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder, prefix=".tmp-"))
        try:
            np.savez(staging / "arrays.npz", **arrays)
            (staging / "atlas.json").write_text(json.dumps(meta, indent=1))
            os.replace(staging, folder / atlas_id)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return atlas_id

    def load(self, owner, atlas_id) -> Atlas:
        """Load a stored atlas; it behaves like a bundled one."""
        folder = self._atlas_dir(owner, atlas_id)
        meta = json.loads((folder / "atlas.json").read_text())
        with np.load(folder / "arrays.npz", allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
        regions = [
            Region(r["name"], r["hemi"], r["kind"], tuple(r["color"]), i, label_id=r["label_id"])
            for i, r in enumerate(meta["regions"])
        ]
        template = meta.get("template") or ""
        if template:
            from cortico.atlases._fsaverage import surface_loader

            surfaces = {(kind, hemi): surface_loader(kind, hemi, template) for kind, hemi in meta["surfaces"]}
        else:
            surfaces = {(kind, hemi): _mesh_from(arrays, f"surface_{kind}_{hemi}") for kind, hemi in meta["surfaces"]}
        labels = {}
        for hemi in meta["vertex_labels"]:
            labels[hemi] = arrays[f"labels_{hemi}"]
            labels[hemi].flags.writeable = False
        meshes = {regions[i].key: _mesh_from(arrays, f"mesh_{i}") for i in meta["meshes"]}
        return Atlas(
            meta["name"],
            meta["title"],
            regions,
            surfaces,
            labels,
            meshes,
            space=meta["space"],
            description=meta["description"],
            template=template,
        )

    def delete(self, owner, atlas_id) -> None:
        """Remove a stored atlas."""
        shutil.rmtree(self._atlas_dir(owner, atlas_id))
