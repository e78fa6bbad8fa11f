"""Volume names from uploaded file names."""

from cortico.exceptions import InputError

__all__ = ["NIFTI_SUFFIXES", "strip_nifti_suffix", "volume_name"]

NIFTI_SUFFIXES = (".nii.gz", ".nii")
MAX_FILE_NAME_LENGTH = 255  # as on common file systems; the database keeps names up to this


def strip_nifti_suffix(file_name: str) -> str | None:
    """``file_name`` without ``.nii.gz`` / ``.nii`` (any case); None when it has neither or nothing else."""
    for suffix in NIFTI_SUFFIXES:
        if file_name.lower().endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)]
    return None


def volume_name(file_name) -> str:
    """The volume's name: the file name without ``.nii.gz`` / ``.nii``.

    Parameters
    ----------
    file_name : str
        Uploaded file name (a base name, not a path).

    Returns
    -------
    str

    Raises
    ------
    InputError
        The name has no NIfTI suffix, is empty, is longer than 255 characters or contains a path separator.
    """
    if not isinstance(file_name, str) or "/" in file_name or "\\" in file_name or "\0" in file_name:
        raise InputError(f"file name {file_name!r} must be a plain file name without folders")
    if len(file_name) > MAX_FILE_NAME_LENGTH:
        raise InputError(
            f"file name {file_name[:40]!r}... is {len(file_name)} characters long; the limit is {MAX_FILE_NAME_LENGTH}"
        )
    name = strip_nifti_suffix(file_name)
    if name is None:
        raise InputError(f"file name {file_name!r} must end with .nii or .nii.gz")
    return name
