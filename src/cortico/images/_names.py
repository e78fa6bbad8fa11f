"""Volume names from uploaded file names."""

from cortico.exceptions import InputError

NIFTI_SUFFIXES = (".nii.gz", ".nii")


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
        The name has no NIfTI suffix, is empty or contains a path separator.
    """
    if not isinstance(file_name, str) or "/" in file_name or "\\" in file_name or "\0" in file_name:
        raise InputError(f"file name {file_name!r} must be a plain file name without folders")
    for suffix in NIFTI_SUFFIXES:
        if file_name.lower().endswith(suffix) and len(file_name) > len(suffix):
            return file_name[: -len(suffix)]
    raise InputError(f"file name {file_name!r} must end with .nii or .nii.gz")
