"""Non-linear alignment of cortical patches to a template by equivolumetric depth.

Pure core: takes ANTs/nibabel images or paths, a 4x4 incoming -> template matrix
and landmark pairs; returns an :class:`AlignmentResult` that can be saved to a
folder. Conventions (RAS vs LPS, transform direction, the half-voxel offset of
Neuroglancer's incoming space) are described in ``cortico.align._spaces`` and
docs/alignment.md.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from cortico._utils.lazy import lazy_exports as _lazy_exports

if _TYPE_CHECKING:
    from cortico.align._align import align_patch
    from cortico.align._geometry import Grid, check_geometry, check_same_grid, grid_differences
    from cortico.align._inputs import (
        MAX_LANDMARK_NAME_LENGTH,
        MAX_LANDMARK_PAIRS,
        LandmarkPairs,
        parse_landmark_pairs,
        parse_matrix,
    )
    from cortico.align._landmark_table import landmark_pairs_from_table
    from cortico.align._presets import DEFAULT_PRESET, PRESETS
    from cortico.align._result import OUTPUT_FILES, AlignmentResult
    from cortico.align._spaces import INCOMING_SPACES, RAS_TO_LPS

__all__ = [
    "DEFAULT_PRESET",
    "INCOMING_SPACES",
    "MAX_LANDMARK_NAME_LENGTH",
    "MAX_LANDMARK_PAIRS",
    "OUTPUT_FILES",
    "PRESETS",
    "RAS_TO_LPS",
    "AlignmentResult",
    "Grid",
    "LandmarkPairs",
    "align_patch",
    "check_geometry",
    "check_same_grid",
    "grid_differences",
    "landmark_pairs_from_table",
    "parse_landmark_pairs",
    "parse_matrix",
]

# Submodule of each public name, imported on first use: the web app reads the
# presets and output names without loading scipy and ANTs.
_HOMES = {
    "align_patch": "_align",
    "Grid": "_geometry",
    "check_geometry": "_geometry",
    "check_same_grid": "_geometry",
    "grid_differences": "_geometry",
    "MAX_LANDMARK_NAME_LENGTH": "_inputs",
    "MAX_LANDMARK_PAIRS": "_inputs",
    "LandmarkPairs": "_inputs",
    "parse_landmark_pairs": "_inputs",
    "parse_matrix": "_inputs",
    "landmark_pairs_from_table": "_landmark_table",
    "DEFAULT_PRESET": "_presets",
    "PRESETS": "_presets",
    "OUTPUT_FILES": "_result",
    "AlignmentResult": "_result",
    "INCOMING_SPACES": "_spaces",
    "RAS_TO_LPS": "_spaces",
}

__getattr__, __dir__ = _lazy_exports(__name__, _HOMES)
