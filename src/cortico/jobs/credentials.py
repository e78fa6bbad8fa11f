"""A job's image-service credential, kept out of Celery and the Job record.

A remote image service needs the user's bearer token while the job runs. The
token never travels in a broker message nor in ``Job.params``: the web process
encrypts it (Fernet, key derived from ``SECRET_KEY``) into a 0600 file in the
job's folder, the worker decrypts it, and the job deletes it when it ends. The
ciphertext expires after the job time limit, so a leftover file is useless.
Web processes and workers must therefore share ``SECRET_KEY`` (they already
share the storage folder).
"""

import base64
import os

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cortico.exceptions import DependencyError

__all__ = ["CREDENTIAL_FILE", "delete_credential", "load_credential", "store_credential"]

CREDENTIAL_FILE = "image-service-credential"

_KEY_INFO = b"cortico job image-service credential v1"


def _fernet(settings):
    secret = str(settings["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def store_credential(settings, folder, token):
    """Encrypt ``token`` into ``folder`` (a job folder) with owner-only permissions.

    Parameters
    ----------
    settings : mapping
        cortico settings (``SECRET_KEY``).
    folder : pathlib.Path
        The job's folder.
    token : str
        The bearer token to forward to the image service.
    """
    path = folder / CREDENTIAL_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as stream:
        stream.write(_fernet(settings).encrypt(token.encode()))
    os.chmod(path, 0o600)  # in case the file existed with wider permissions


def load_credential(settings, folder):
    """Decrypt the token stored by :func:`store_credential`.

    Returns
    -------
    str or None
        The token; None when the job has no stored credential.

    Raises
    ------
    DependencyError
        The credential cannot be decrypted: it expired, or this worker's
        ``SECRET_KEY`` differs from the web process's.
    """
    path = folder / CREDENTIAL_FILE
    if not path.exists():
        return None
    ttl = int(float(settings["JOB_TIME_LIMIT_SECONDS"]) + 3600)
    try:
        return _fernet(settings).decrypt(path.read_bytes(), ttl=ttl).decode()
    except InvalidToken:
        raise DependencyError(
            "The image-service credential of this job cannot be decrypted: it expired, or the worker's "
            "SECRET_KEY differs from the web server's (give both the same CORTICO_SECRET_KEY)."
        ) from None


def delete_credential(folder):
    """Remove the job's credential file if there is one."""
    try:
        os.remove(folder / CREDENTIAL_FILE)
    except FileNotFoundError:
        pass
