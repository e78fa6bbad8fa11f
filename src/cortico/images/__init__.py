"""NIfTI volumes for the image store: checks, Chumni metadata, Neuroglancer precomputed.

Pure core, no web code: callers stream uploads to a file of their choosing, then
call :func:`inspect_nifti` (or :func:`preflight_nifti` on the first 2048 bytes)
and :func:`write_precomputed` into a folder named by id; :func:`iter_encoded`
streams a stored file back as .nii or .nii.gz.
"""

from cortico.images._names import NIFTI_SUFFIXES, strip_nifti_suffix, volume_name
from cortico.images._precomputed import write_precomputed
from cortico.images._stream import iter_encoded
from cortico.images._validate import (
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    PREFLIGHT_BYTES,
    inspect_nifti,
    preflight_nifti,
)

__all__ = [
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "NIFTI_SUFFIXES",
    "PREFLIGHT_BYTES",
    "inspect_nifti",
    "iter_encoded",
    "preflight_nifti",
    "strip_nifti_suffix",
    "volume_name",
    "write_precomputed",
]
