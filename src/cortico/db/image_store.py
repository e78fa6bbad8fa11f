"""The image store: NIfTI volumes per owner, as database rows plus files.

Each volume has a folder ``<storage>/images/<id>/`` holding the file as uploaded
(``volume.nii`` or ``volume.nii.gz``) and its Neuroglancer precomputed copy
(``precomputed/``). Paths are built from server-made ids only; the user's file
name lives in the database. Validation, metadata (Chumni's ``NiftiExtra``) and
the precomputed conversion come from the domain core :mod:`cortico.images`.
"""

import os
import secrets
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import case, delete, or_, select
from sqlalchemy.exc import IntegrityError

from cortico.db.models import Image, User
from cortico.exceptions import ConflictError, InputError, LimitExceededError, NotFoundError, QuotaExceededError

__all__ = ["VISIBILITIES", "ImageStore", "StorageQuota", "precomputed_bytes"]

VISIBILITIES = ("private", "public")

#: Files in an image folder, by role.
SOURCE_FILES = {True: "volume.nii.gz", False: "volume.nii"}
PRECOMPUTED_FOLDER = "precomputed"

# Staged uploads and folders without a row older than this are leftovers of crashes.
_ORPHAN_SECONDS = 3600


class ImageStore:
    """Volumes in the database ``db`` with files under ``<storage>/images``.

    Parameters
    ----------
    db : cortico.db.Database
    storage : path-like
        The ``STORAGE_PATH`` shared by web processes and workers.
    settings : mapping
        cortico settings (``IMAGE_MAX_UNCOMPRESSED_BYTES``).
    """

    def __init__(self, db, storage, settings):
        self.db = db
        self.root = Path(storage) / "images"
        self.settings = settings
        self.staging = self.root / ".incoming"
        self.staging.mkdir(parents=True, exist_ok=True)

    # --- reading -------------------------------------------------------------------------

    def folder(self, image):
        return self.root / image.id

    def source_path(self, image):
        """The stored NIfTI file as uploaded."""
        return self.folder(image) / image.files["source"]

    def precomputed_path(self, image):
        return self.folder(image) / image.files["precomputed"]

    @staticmethod
    def precomputed_ready(image):
        """Whether the volume's Neuroglancer copy is written (else a job is preparing it)."""
        return "precomputed" in (image.files or {})

    def _visible(self, owner_id):
        return or_(Image.owner_id == owner_id, Image.visibility == "public")

    def list_visible(self, owner_id):
        """The owner's volumes, then other users' public ones, each by name."""
        own_first = case((Image.owner_id == owner_id, 0), else_=1)
        with self.db.session() as session:
            return list(
                session.execute(
                    select(Image).where(self._visible(owner_id)).order_by(own_first, Image.name, Image.created_at)
                ).scalars()
            )

    def find(self, owner_id, name):
        """The visible volume called ``name`` (the owner's own first), or None."""
        own_first = case((Image.owner_id == owner_id, 0), else_=1)
        with self.db.session() as session:
            return session.execute(
                select(Image)
                .where(self._visible(owner_id), Image.name == name)
                .order_by(own_first, Image.created_at)
                .limit(1)
            ).scalar()

    def find_owned(self, owner_id, name):
        """The owner's own volume called ``name``, or None."""
        with self.db.session() as session:
            return session.execute(select(Image).where(Image.owner_id == owner_id, Image.name == name)).scalar()

    def get(self, owner_id, image_id, own=False):
        """Volume ``image_id`` if visible to ``owner_id`` (only their own with ``own``).

        Raises
        ------
        NotFoundError
            No such volume for this user (another user's private volume included).
        """
        with self.db.session() as session:
            image = session.get(Image, image_id) if len(image_id) <= 64 else None
        if image is None or not (image.owner_id == owner_id or (not own and image.visibility == "public")):
            raise NotFoundError(f"No image {image_id!r}.")
        return image

    def by_link_key(self, link_key):
        """The volume whose ``links.normalized`` carries ``link_key``, or None."""
        if len(link_key) > 64:
            return None
        with self.db.session() as session:
            return session.execute(select(Image).where(Image.link_key == link_key)).scalar()

    @staticmethod
    def normalized_link(image):
        """``links.normalized`` of a volume, relative to the image service's base URL."""
        return f"/nifti/{image.link_key}"

    def entry(self, image):
        """Chumni's ``UserDatasetEntry`` of a volume."""
        return {
            "name": image.name,
            "visibility": image.visibility,
            "links": {"normalized": self.normalized_link(image)},
            "extra": image.extra,
        }

    # --- quotas --------------------------------------------------------------------------

    def quota(self, owner_id):
        """The owner's :class:`StorageQuota` (limits for anonymous owners are smaller)."""
        with self.db.session() as session:
            anonymous = bool(session.execute(select(User.anonymous).where(User.id == owner_id)).scalar())
            rows = session.execute(select(Image.size_bytes, Image.extra).where(Image.owner_id == owner_id)).all()
        prefix = "ANONYMOUS_" if anonymous else ""
        used = sum(int(size or 0) + precomputed_bytes(extra) for size, extra in rows)
        return StorageQuota(
            used_bytes=used,
            count=len(rows),
            max_bytes=int(self.settings[f"{prefix}IMAGE_QUOTA_BYTES"]),
            max_count=int(self.settings[f"{prefix}IMAGE_QUOTA_COUNT"]),
            anonymous=anonymous,
        )

    # --- writing -------------------------------------------------------------------------

    def staging_file(self):
        """A new private path for an incoming upload (moved into place by :meth:`add_file`)."""
        return self.staging / f"{secrets.token_hex(16)}.part"

    def check_name_free(self, owner_id, file_name):
        """The volume name of ``file_name``; ConflictError if the owner already has it."""
        from cortico.images import volume_name

        name = volume_name(file_name)
        if self.find_owned(owner_id, name) is not None:
            raise ConflictError(f"An image named {name!r} already exists; delete it or upload under another name.")
        return name

    def add_file(
        self,
        owner_id,
        path,
        file_name,
        *,
        segmentation=False,
        visibility="private",
        source_job_id=None,
        move=False,
        convert_inline_max_bytes=None,
    ):
        """Validate the NIfTI file at ``path`` and store it as ``file_name``.

        Parameters
        ----------
        owner_id : int
        path : path-like
            The file (``.nii`` or gzipped, whatever ``file_name`` says).
        file_name : str
            User-given file name ending in ``.nii`` or ``.nii.gz``; the volume's name
            is this without the suffix.
        segmentation : bool
            Integer labels (Neuroglancer ``segmentation`` layer) rather than an image.
        visibility : {"private", "public"}
        source_job_id : str, optional
            The job that produced the volume.
        move : bool
            Move ``path`` into the store instead of copying it.
        convert_inline_max_bytes : int, optional
            Write the Neuroglancer copy now only when it is at most this large;
            otherwise the volume is stored without it (:meth:`precomputed_ready` is
            False) and the caller has :meth:`convert` run as a job. None: always now.

        Returns
        -------
        Image

        Raises
        ------
        InputError
            Bad name, visibility or file (not NIfTI, truncated, gzip bomb, 0-sized
            dimension...): nothing is stored.
        ConflictError
            The owner already has a volume of that name.
        """
        from cortico.images import inspect_nifti, write_precomputed

        if visibility not in VISIBILITIES:
            raise InputError(f"visibility must be 'private' or 'public', got {visibility!r}")
        name = self.check_name_free(owner_id, file_name)
        quota = self.quota(owner_id)
        quota.check_count()
        image_id = _new_id()
        folder = self.root / image_id
        folder.mkdir(parents=True)
        try:
            extra = inspect_nifti(
                path,
                file_name,
                segmentation=bool(segmentation),
                max_uncompressed_bytes=int(self.settings["IMAGE_MAX_UNCOMPRESSED_BYTES"]),
            )
            quota.check_bytes(os.path.getsize(path) + precomputed_bytes(extra))
            # The content decides, not the suffix (inspect_nifti warns when they differ).
            with open(path, "rb") as stream:
                compressed = stream.read(2) == b"\x1f\x8b"
            source = folder / SOURCE_FILES[compressed]
            if move:
                shutil.move(os.fspath(path), source)
            else:
                shutil.copyfile(path, source)
            files = {"source": source.name}
            if convert_inline_max_bytes is None or precomputed_bytes(extra) <= convert_inline_max_bytes:
                write_precomputed(source, folder / PRECOMPUTED_FOLDER, extra)
                files["precomputed"] = PRECOMPUTED_FOLDER
            image = Image(
                id=image_id,
                owner_id=owner_id,
                name=name,
                file_name=file_name,
                visibility=visibility,
                segmentation=bool(segmentation),
                size_bytes=source.stat().st_size,
                extra=extra,
                files=files,
                source_job_id=source_job_id,
            )
            try:
                with self.db.session() as session:
                    session.add(image)
            except IntegrityError:
                raise ConflictError(
                    f"An image named {name!r} already exists; delete it or upload under another name."
                ) from None
            return image
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    def set_files(self, image_id, **changes):
        """Merge ``changes`` into a volume's ``files`` (e.g. the job preparing it); False if it is gone."""
        with self.db.session() as session:
            row = session.get(Image, image_id)
            if row is None:
                return False
            row.files = {**(row.files or {}), **changes}
        return True

    def convert(self, image_id):
        """Write a stored volume's Neuroglancer copy (the job behind a deferred upload).

        Written aside and renamed into place; returns False when the volume was
        deleted meanwhile (nothing is left behind).
        """
        from cortico.images import write_precomputed

        with self.db.session() as session:
            image = session.get(Image, image_id)
        if image is None:
            return False
        if self.precomputed_ready(image):
            return True
        folder = self.folder(image)
        aside = folder / f".{PRECOMPUTED_FOLDER}-{secrets.token_hex(4)}"
        try:
            write_precomputed(self.source_path(image), aside, image.extra)
            os.replace(aside, folder / PRECOMPUTED_FOLDER)
        finally:
            shutil.rmtree(aside, ignore_errors=True)
        if not self.set_files(image_id, precomputed=PRECOMPUTED_FOLDER):
            shutil.rmtree(folder, ignore_errors=True)
            return False
        return True

    def set_visibility(self, owner_id, image_id, visibility):
        """Make one of the owner's volumes private or public."""
        if visibility not in VISIBILITIES:
            raise InputError(f"visibility must be 'private' or 'public', got {visibility!r}")
        image = self.get(owner_id, image_id, own=True)
        with self.db.session() as session:
            row = session.get(Image, image.id)
            row.visibility = visibility
            session.flush()
            session.refresh(row)
            return row

    def delete(self, owner_id, image_id):
        """Delete one of the owner's volumes with its files; NotFoundError otherwise."""
        image = self.get(owner_id, image_id, own=True)
        with self.db.session() as session:
            session.execute(delete(Image).where(Image.id == image.id))
        shutil.rmtree(self.folder(image), ignore_errors=True)
        return image

    # --- retention -----------------------------------------------------------------------

    def purge(self, cutoff, keep_registered=True):
        """Delete volumes created before ``cutoff`` and leftover files; returns the count.

        Volumes of anonymous (browser-session) owners expire at ``cutoff``; those of
        registered users too unless ``keep_registered``. Staged uploads and folders
        without a database row are removed once an hour old.
        """
        condition = Image.created_at < cutoff
        if keep_registered:
            anonymous = select(User.id).where(User.anonymous.is_(True))
            condition = condition & Image.owner_id.in_(anonymous)
        with self.db.session() as session:
            expired = list(session.execute(select(Image.id).where(condition)).scalars())
            if expired:
                session.execute(delete(Image).where(Image.id.in_(expired)))
        for image_id in expired:
            shutil.rmtree(self.root / image_id, ignore_errors=True)
        return len(expired) + self._remove_orphans()

    def _remove_orphans(self):
        old = time.time() - _ORPHAN_SECONDS
        removed = 0
        for part in self.staging.glob("*.part"):
            if part.stat().st_mtime < old:
                part.unlink(missing_ok=True)
                removed += 1
        with self.db.session() as session:
            known = set(session.execute(select(Image.id)).scalars())
        for folder in self.root.iterdir():
            if folder.name.startswith(".") or folder.name in known or folder.stat().st_mtime >= old:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        return removed


def precomputed_bytes(extra):
    """Disk bytes of a volume's Neuroglancer copy: full scale in its data type plus the pyramid (1/7)."""
    import numpy as np

    neuroglancer = (extra or {}).get("neuroglancer") or {}
    size, data_type = neuroglancer.get("size"), neuroglancer.get("data_type")
    if not size or not data_type:
        return 0
    return int(np.prod([int(n) for n in size]) * np.dtype(data_type).itemsize * 8 // 7)


class StorageQuota:
    """What an owner stores against the configured limits (``*IMAGE_QUOTA_BYTES/COUNT``)."""

    def __init__(self, used_bytes, count, max_bytes, max_count, anonymous):
        self.used_bytes, self.count = used_bytes, count
        self.max_bytes, self.max_count, self.anonymous = max_bytes, max_count, anonymous

    def _who(self):
        return "an anonymous session" if self.anonymous else "your account"

    def check_count(self):
        """QuotaExceededError (507) when one more volume would be too many."""
        if self.count + 1 > self.max_count:
            raise QuotaExceededError(
                f"Storage quota reached: {self._who()} already stores {self.count} volume(s), the limit is "
                f"{self.max_count}; delete some volumes first."
            )

    def check_bytes(self, needed):
        """LimitExceededError (413) when one volume alone is over the quota; QuotaExceededError (507) when
        it does not fit beside the stored ones."""
        if needed > self.max_bytes:
            raise LimitExceededError(
                f"This volume needs {_mib(needed)} on the server (the file and its viewer copy); the storage "
                f"quota of {self._who()} is {_mib(self.max_bytes)}."
            )
        if self.used_bytes + needed > self.max_bytes:
            raise QuotaExceededError(
                f"Storage quota exceeded: this volume needs {_mib(needed)}, {self._who()} already uses "
                f"{_mib(self.used_bytes)} of {_mib(self.max_bytes)}; delete some volumes first."
            )


def _mib(count):
    return f"{count / (1 << 20):.1f} MiB"


def _new_id():
    return secrets.token_urlsafe(16)


def utc_timestamp():
    """Current UTC time to the second, as the seed's timestamped names use it."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat()
