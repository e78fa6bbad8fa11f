"""Volume names from uploaded file names."""

from cortico.exceptions import InputError

NIFTI_SUFFIXES = (".nii.gz", ".nii")
MAX_FILE_NAME_LENGTH = 255  # as on common file systems; the database keeps names up to this


def volume_name(file_name):
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
    for suffix in NIFTI_SUFFIXES:
        if file_name.lower().endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)]
    raise InputError(f"file name {file_name!r} must end with .nii or .nii.gz")
