"""Equivolumetric cortical depth from a cortex/white-matter segmentation.

Pure domain core: arrays in, arrays out (:func:`compute_depth`), with NIfTI/MGZ
reading and writing kept apart (:func:`load_segmentation`, :func:`save_depth_map`,
:func:`depth_map_from_file`) and a cached fsaverage template
(:func:`template_depth_map`). See ``docs/depth.md``.
"""

from cortico.depth._engine import PRODUCTS, DepthResult, compute_depth
from cortico.depth._labels import DEFAULT_LABELS, FREESURFER_RIBBON_LABELS, LabelMapping

__all__ = [
    "DEFAULT_LABELS",
    "DepthResult",
    "FREESURFER_RIBBON_LABELS",
    "LabelMapping",
    "PRODUCTS",
    "compute_depth",
]
