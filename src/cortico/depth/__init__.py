"""Equivolumetric cortical depth from a cortex/white-matter segmentation.

Pure domain core: arrays in, arrays out (:func:`compute_depth`), with NIfTI/MGZ
reading and writing kept apart (:func:`load_segmentation`, :func:`save_depth_map`,
:func:`depth_map_from_file`) and a cached fsaverage template
(:func:`template_depth_map`). See ``docs/depth.md``.
"""

from cortico.depth._engine import PRODUCTS, DepthResult, compute_depth
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
    "DepthFiles",
    "DepthResult",
    "FREESURFER_RIBBON_LABELS",
    "LabelMapping",
    "PRODUCTS",
    "Segmentation",
    "cache_dir",
    "compute_depth",
    "depth_map_from_file",
    "fsaverage_ribbon_path",
    "load_segmentation",
    "save_depth_map",
    "template_depth_map",
]
