"""Equivolumetric cortical depth from a cortex/white-matter segmentation.

Pure domain core: arrays in, arrays out (:func:`compute_depth`), with NIfTI/MGZ
reading and writing kept apart (:func:`load_segmentation`, :func:`save_depth_map`,
:func:`depth_map_from_file`) and a cached fsaverage template
(:func:`template_depth_map`). See ``docs/depth.md``.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from cortico._utils.lazy import lazy_exports as _lazy_exports

if _TYPE_CHECKING:
    from cortico.depth._engine import (
        MAX_UNDEFINED_FRACTION,
        PRODUCTS,
        DepthResult,
        compute_depth,
        undefined_problem,
    )
    from cortico.depth._header import DEFAULT_MAX_MEMORY_BYTES, estimated_memory_bytes
    from cortico.depth._io import (
        DepthFiles,
        Segmentation,
        depth_map_from_file,
        load_segmentation,
        save_depth_map,
    )
    from cortico.depth._labels import DEFAULT_LABELS, FREESURFER_RIBBON_LABELS, LabelMapping
    from cortico.depth._template import cache_dir, fsaverage_ribbon_path, template_depth_map

__all__ = [
    "DEFAULT_LABELS",
    "DEFAULT_MAX_MEMORY_BYTES",
    "DepthFiles",
    "DepthResult",
    "FREESURFER_RIBBON_LABELS",
    "LabelMapping",
    "MAX_UNDEFINED_FRACTION",
    "PRODUCTS",
    "Segmentation",
    "cache_dir",
    "compute_depth",
    "depth_map_from_file",
    "estimated_memory_bytes",
    "fsaverage_ribbon_path",
    "load_segmentation",
    "save_depth_map",
    "template_depth_map",
    "undefined_problem",
]

# Submodule of each public name, imported on first use: LabelMapping needs no numba.
_HOMES = {
    "MAX_UNDEFINED_FRACTION": "_engine",
    "PRODUCTS": "_engine",
    "DepthResult": "_engine",
    "compute_depth": "_engine",
    "undefined_problem": "_engine",
    "DEFAULT_MAX_MEMORY_BYTES": "_header",
    "estimated_memory_bytes": "_header",
    "DepthFiles": "_io",
    "Segmentation": "_io",
    "depth_map_from_file": "_io",
    "load_segmentation": "_io",
    "save_depth_map": "_io",
    "DEFAULT_LABELS": "_labels",
    "FREESURFER_RIBBON_LABELS": "_labels",
    "LabelMapping": "_labels",
    "cache_dir": "_template",
    "fsaverage_ribbon_path": "_template",
    "template_depth_map": "_template",
}

__getattr__, __dir__ = _lazy_exports(__name__, _HOMES)
