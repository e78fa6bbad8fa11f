"""Where jobs read and write volumes: this server's image store or a remote one.

Both speak the Chumni image-service vocabulary (``UserDatasetEntry``, names
without ``.nii``/``.nii.gz``). :class:`LocalImageService` works on the store's
rows and files directly (no HTTP loopback); :class:`RemoteImageService` is an
HTTP client of another Chumni-compatible service, sending the user's bearer token.
"""

import gzip
import re
from urllib.parse import urljoin, urlsplit

from cortico.exceptions import ConflictError, DependencyError, InputError, NotFoundError
from cortico.images import strip_nifti_suffix

__all__ = [
    "ImageServiceError",
    "LocalImageService",
    "RemoteImageService",
    "check_remote_allowed",
    "neuroglancer_url",
    "normalize_base_url",
]

#: Seconds to wait for a remote image service to answer (per request, not per transfer).
REMOTE_TIMEOUT_SECONDS = 30
_CHUNK = 1 << 20


class ImageServiceError(DependencyError):
    """A remote image service failed or refused; ``status`` is its HTTP status (None: unreachable)."""

    def __init__(self, message, status=None):
        super().__init__(message)
        self.status = status


def normalize_base_url(url):
    """Check an ``http(s)`` base URL and return it with exactly one trailing slash."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"image_service_base_url must be an http(s) URL, got {url!r}")
    return url.rstrip("/") + "/"


def check_remote_allowed(settings, base_url):
    """Raise InputError unless ``REMOTE_IMAGE_SERVICES`` allows this remote base URL."""
    pattern = settings.get("REMOTE_IMAGE_SERVICES")
    if not pattern or not re.fullmatch(pattern, base_url):
        raise InputError(
            f"The image service {base_url} is not this server's and is not allowed as a remote image "
            "service here (the administrator can allow it with REMOTE_IMAGE_SERVICES)."
        )


def neuroglancer_url(base_url, normalized):
    """``precomputed://`` URL of a volume from its service's base URL and ``links.normalized``."""
    return "precomputed://" + urljoin(base_url, normalized.lstrip("/"))


class LocalImageService:
    """This server's image store, seen as ``owner_id`` sees it.

    Parameters
    ----------
    store : cortico.db.image_store.ImageStore
    owner_id : int
        Whose volumes (plus public ones) are visible; new volumes belong to them.
    base_url : str or None
        The store's public base URL, for result links (None when unknown).
    job_id : str, optional
        Recorded as the producing job of uploaded volumes.
    """

    def __init__(self, store, owner_id, base_url=None, job_id=None):
        self.store = store
        self.owner_id = owner_id
        self.base_url = base_url
        self.job_id = job_id

    def info(self, name):
        """The ``UserDatasetEntry`` of volume ``name``, or None."""
        image = self.store.find(self.owner_id, name)
        return None if image is None else self.store.entry(image)

    def fetch(self, name, destination):
        """Path of volume ``name``'s NIfTI file: the stored file itself (read-only), not a copy."""
        image = self.store.find(self.owner_id, name)
        if image is None:
            raise NotFoundError(f"Cannot find an image named {name!r} in the image store.")
        return self.store.source_path(image)

    def name_taken(self, name):
        """Whether the owner already has a volume called ``name``."""
        return self.store.find_owned(self.owner_id, name) is not None

    def upload(self, path, file_name, segmentation=False):
        """Store the NIfTI file ``path`` as ``file_name``; returns ``(name, entry)``."""
        image = self.store.add_file(
            self.owner_id, path, file_name, segmentation=segmentation, source_job_id=self.job_id
        )
        return image.name, self.store.entry(image)

    def neuroglancer_url(self, entry):
        if self.base_url is None:
            return None
        return neuroglancer_url(self.base_url, entry["links"]["normalized"])


class RemoteImageService:
    """HTTP client of a Chumni-compatible image service.

    Parameters
    ----------
    base_url : str
        The service's base URL (``.../`` is appended when missing).
    token : str or None
        Bearer token sent with every request.
    timeout : float
        Seconds to wait for an answer.
    """

    def __init__(self, base_url, token, timeout=REMOTE_TIMEOUT_SECONDS):
        import requests

        self.base_url = normalize_base_url(base_url)
        self.timeout = timeout
        self._session = requests.Session()
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"

    def _request(self, method, path, passthrough=(404,), **kwargs):
        """Send a request; HTTP errors other than ``passthrough`` raise ImageServiceError."""
        import requests

        url = urljoin(self.base_url, path)
        try:
            response = self._session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ImageServiceError(
                f"Cannot access the image service at {self.base_url} ({type(exc).__name__})."
            ) from None
        if response.status_code >= 400 and response.status_code not in passthrough:
            detail = _error_text(response)
            raise ImageServiceError(
                f"The image service at {self.base_url} answered {response.status_code} to {method} {path}"
                + (f": {detail}" if detail else "."),
                status=response.status_code,
            )
        return response

    def list(self):
        """The service's ``UserDatasetEntry`` list."""
        response = self._request("GET", "list")
        if response.status_code == 404:
            raise ImageServiceError(f"{self.base_url} has no /list route: is it an image service?", status=404)
        try:
            entries = response.json()
        except ValueError:
            raise ImageServiceError(f"The image service at {self.base_url} did not answer /list with JSON.") from None
        if not isinstance(entries, list):
            raise ImageServiceError(f"The image service at {self.base_url} answered /list with a non-list.")
        return entries

    def info(self, name):
        """The ``UserDatasetEntry`` of volume ``name``, or None."""
        return next((entry for entry in self.list() if isinstance(entry, dict) and entry.get("name") == name), None)

    def fetch(self, name, destination):
        """Download volume ``name`` as gzipped NIfTI to ``destination`` (``.nii.gz``); returns it.

        Tries ``download/<name>.nii.gz`` and falls back to compressing
        ``download/<name>.nii`` (older Chumni offered .gz only for gzipped uploads).
        """
        from urllib.parse import quote

        target = destination
        with self._request("GET", f"download/{quote(name)}.nii.gz", stream=True) as response:
            if response.status_code != 404:
                with open(target, "wb") as stream:
                    stream.writelines(response.iter_content(_CHUNK))
                return target
        with self._request("GET", f"download/{quote(name)}.nii", stream=True) as response:
            if response.status_code == 404:
                raise NotFoundError(f"Cannot find an image named {name!r} on the image service {self.base_url}.")
            with gzip.open(target, "wb", compresslevel=6) as stream:
                for chunk in response.iter_content(_CHUNK):
                    stream.write(chunk)
        return target

    def name_taken(self, name):
        """Whether a volume called ``name`` exists (the service's preflight answers 409)."""
        return self.info(name) is not None

    def upload(self, path, file_name, segmentation=False):
        """Upload the file at ``path`` as ``file_name``; returns ``(name, entry)``."""
        headers = {"X-CHUNMA-FILESIZE": str(path.stat().st_size)}
        if segmentation:
            headers["X-CHUNMA-SEGMENTATION"] = "true"
        with open(path, "rb") as stream:
            response = self._request(
                "POST",
                "upload",
                passthrough=(404, 409),
                headers=headers,
                files={"image": (file_name, stream, "application/gzip")},
            )
        if response.status_code == 404:
            raise ImageServiceError(f"{self.base_url} has no /upload route: is it an image service?", status=404)
        if response.status_code == 409:
            raise ConflictError(f"An image named {file_name!r} already exists on {self.base_url}.")
        try:
            extra = response.json()
        except ValueError:
            extra = {}
        name = strip_nifti_suffix(extra.get("fileName", "") if isinstance(extra, dict) else "") or strip_nifti_suffix(
            file_name
        )
        return name, self.info(name)

    def neuroglancer_url(self, entry):
        if not entry or "normalized" not in entry.get("links", {}):
            return None
        return neuroglancer_url(self.base_url, entry["links"]["normalized"])


def _error_text(response):
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(body, dict):
        for key in ("message", "errors", "error", "detail"):
            if body.get(key):
                value = body[key]
                return "; ".join(map(str, value)) if isinstance(value, list) else str(value)[:300]
    return str(body)[:300]
