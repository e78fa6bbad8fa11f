"""compute_depth: label volume in, equivolumetric depth (and side products) out."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cortico.depth._advection import advect_voxels
from cortico.depth._curvature import isosurface_curvature
from cortico.depth._labels import CORTEX, OUTSIDE, WHITE, LabelMapping, validate_label_volume
from cortico.depth._laplace import FACE, laplace_potential
from cortico.depth._threads import PARALLEL_LOCK
from cortico.exceptions import InputError

#: Products :func:`compute_depth` can return.
PRODUCTS = ("equivolumetric", "laplace", "equidistant", "thickness")

#: Depth-engine parameters from depth.md, all in mm.
SMOOTHING_SIGMA_MM = 1.0
STEP_MM = 0.03
MAX_PATH_MM = 6.0

#: Accepted voxel sizes in mm.
MIN_VOXEL_MM, MAX_VOXEL_MM = 1e-3, 10.0

_ADVECTION_CHUNKS = 50


@dataclass
class DepthResult:
    """Maps on the input grid (float32) and a summary of the computation.

    Attributes
    ----------
    equivolumetric, laplace, equidistant : ndarray or None
        0 on the pial (outside) side, 1 on the white side; outside voxels are 0,
        white-matter voxels 1. Undefined cortex voxels are NaN (raw) or 0.5
        (cortical-voluba compatible mode, which also clips to [0, 1]).
    thickness : ndarray or None
        Length of the flow line through each cortex voxel in mm, 0 off the cortex;
        NaN where undefined (0 in compatible mode).
    voxel_sizes : tuple of float
        Voxel sizes in mm used for the computation.
    cortex_voxels, undefined_voxels : int
        Number of cortex voxels and of those whose advection failed.
    details : dict
        Laplace sweeps and convergence, estimated thickness, per-stage seconds.
    """

    equivolumetric: np.ndarray | None
    laplace: np.ndarray | None
    equidistant: np.ndarray | None
    thickness: np.ndarray | None
    voxel_sizes: tuple[float, ...]
    cortex_voxels: int
    undefined_voxels: int
    details: dict = field(default_factory=dict)


def validate_voxel_sizes(voxel_sizes) -> np.ndarray:
    """Return voxel sizes as a float64 array of 3, or raise :class:`InputError`."""
    try:
        sizes = np.asarray(voxel_sizes, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise InputError(f"voxel sizes must be three numbers in mm, got {voxel_sizes!r}") from None
    if sizes.shape != (3,):
        raise InputError(f"voxel sizes must be three numbers in mm, got {voxel_sizes!r}")
    plausible = np.all(np.isfinite(sizes)) and np.all((sizes >= MIN_VOXEL_MM) & (sizes <= MAX_VOXEL_MM))
    if not plausible:
        raise InputError(
            f"voxel sizes {tuple(float(s) for s in sizes)} mm are not plausible; each must "
            f"lie between {MIN_VOXEL_MM} and {MAX_VOXEL_MM} mm (check the header's zooms and units)"
        )
    return sizes


def _validate_products(products):
    if isinstance(products, str):
        products = (products,)
    products = tuple(products)
    unknown = [p for p in products if p not in PRODUCTS]
    if unknown:
        raise InputError(f"unknown depth products {unknown}; choose from {list(PRODUCTS)}")
    if not products:
        raise InputError(f"ask for at least one depth product out of {list(PRODUCTS)}")
    return products


def _validate_walk(step_mm, max_path_mm):
    try:
        step, longest = float(step_mm), float(max_path_mm)
    except (TypeError, ValueError):
        raise InputError(
            f"the advection step and maximal path must be numbers in mm, got {step_mm!r} and {max_path_mm!r}"
        ) from None
    if not (math.isfinite(step) and 0 < step <= 1.0):
        raise InputError(f"the advection step must lie in (0, 1] mm, got {step_mm!r}")
    if not (math.isfinite(longest) and step < longest <= 100.0):
        raise InputError(f"the maximal path length must lie between the step and 100 mm, got {max_path_mm!r}")
    return step, longest


def _advect_all(potential, curvature, padded, cortex_indices, sizes, step, longest, report):
    """Volumes and lengths toward pial and white for every cortex voxel, shape (n, 4)."""
    mask = (padded == CORTEX).astype(np.float32)
    _replicate_border(mask)
    walks = np.empty((cortex_indices.size, 4), dtype=np.float64)
    bounds = np.linspace(0, cortex_indices.size, _ADVECTION_CHUNKS + 1).astype(np.int64)
    for n, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
        report(0.35 + 0.6 * n / _ADVECTION_CHUNKS, "advecting flow tubes")
        if hi > lo:
            with PARALLEL_LOCK:
                advect_voxels(potential, curvature, mask, cortex_indices[lo:hi], sizes, step, longest, walks[lo:hi])
    return walks


def _crop_box(classes, voxel_sizes):
    """Bounding box of the cortex plus a margin covering the smoothing kernel."""
    margin = [int(4.0 * SMOOTHING_SIGMA_MM / h + 0.5) + 2 for h in voxel_sizes]
    box = []
    for axis in range(3):
        other = tuple(a for a in range(3) if a != axis)
        present = np.flatnonzero(np.any(classes == CORTEX, axis=other))
        lo = max(int(present[0]) - margin[axis], 0)
        hi = min(int(present[-1]) + 1 + margin[axis], classes.shape[axis])
        box.append(slice(lo, hi))
    return tuple(box)


def _check_boundaries(padded):
    """Raise when no cortex voxel touches the outside, or none touches white matter."""
    cortex = padded == CORTEX
    touches = {OUTSIDE: False, WHITE: False}
    for axis in range(3):
        for shift in (1, -1):
            neighbour = np.roll(padded, shift, axis=axis)
            for tissue in touches:
                if not touches[tissue]:
                    touches[tissue] = bool(np.any(cortex & (neighbour == tissue)))
    if not touches[OUTSIDE]:
        raise InputError(
            "no cortex voxel has an outside (CSF/background) neighbour, so the pial "
            "side is undefined; check the label mapping"
        )
    if not touches[WHITE]:
        raise InputError(
            "no cortex voxel has a white-matter neighbour, so the white side is undefined; check the label mapping"
        )


def _replicate_border(grid):
    """Copy the values next to the one-voxel border onto the border (in place)."""
    grid[0], grid[-1] = grid[1], grid[-2]
    grid[:, 0], grid[:, -1] = grid[:, 1], grid[:, -2]
    grid[:, :, 0], grid[:, :, -1] = grid[:, :, 1], grid[:, :, -2]


def _assemble_maps(products, classes, box, padded_shape, cortex_indices, potential, volumes, voluba_compatible):
    """Requested maps on the input grid and the number of undefined cortex voxels."""

    def on_input_grid(cortex_values, outside_value, white_value):
        out = np.full(classes.shape, outside_value, dtype=np.float32)
        out[classes == WHITE] = white_value
        cropped = np.full(padded_shape, np.nan, dtype=np.float32)
        cropped.reshape(-1)[cortex_indices] = cortex_values
        cortex_in_box = classes[box] == CORTEX
        out[box][cortex_in_box] = cropped[1:-1, 1:-1, 1:-1][cortex_in_box]
        return out

    def fraction_map(values):
        if voluba_compatible:
            values = np.where(np.isfinite(values), np.clip(values, 0.0, 1.0), 0.5)
        return on_input_grid(values, 0.0, 1.0)

    maps = {name: None for name in PRODUCTS}
    undefined = 0
    if "laplace" in products:
        maps["laplace"] = on_input_grid(potential.reshape(-1)[cortex_indices], 0.0, 1.0)
    if volumes is None:
        return maps, undefined
    undefined = int(np.count_nonzero(~np.all(np.isfinite(volumes), axis=1)))
    with np.errstate(invalid="ignore", divide="ignore"):
        if "equivolumetric" in products:
            maps["equivolumetric"] = fraction_map(volumes[:, 0] / (volumes[:, 0] + volumes[:, 1]))
        if "equidistant" in products:
            maps["equidistant"] = fraction_map(volumes[:, 2] / (volumes[:, 2] + volumes[:, 3]))
    if "thickness" in products:
        thickness = volumes[:, 2] + volumes[:, 3]
        if voluba_compatible:
            thickness = np.where(np.isfinite(thickness), thickness, 0.0)
        maps["thickness"] = on_input_grid(thickness, 0.0, 0.0)
    return maps, undefined


def compute_depth(
    labels: np.ndarray,
    voxel_sizes,
    *,
    label_mapping=None,
    products=("equivolumetric",),
    voluba_compatible: bool = False,
    step_mm: float = STEP_MM,
    max_path_mm: float = MAX_PATH_MM,
    progress: Callable[[float, str], None] | None = None,
) -> DepthResult:
    """Compute the equivolumetric cortical depth of a segmentation.

    Laplace potential between pial and white boundaries, curvature of its smoothed
    isosurfaces, tube advection from every cortex voxel toward both boundaries, and
    depth = V_pial / (V_pial + V_white) (Leprince et al., ISBI 2015). Work is done on
    the cortex bounding box plus a margin.

    Parameters
    ----------
    labels : ndarray, 3D
        Integer labels (float data holding whole numbers is accepted).
    voxel_sizes : sequence of 3 float
        Voxel sizes in mm; anisotropic voxels are supported.
    label_mapping : LabelMapping or dict, optional
        Which labels are cortex, white and outside; default 100/200/0 (strict).
    products : sequence of str
        Any of ``"equivolumetric"``, ``"laplace"``, ``"equidistant"``,
        ``"thickness"``; the others are returned as ``None``.
    voluba_compatible : bool
        Undefined voxels become 0.5 and maps are clipped to [0, 1], as the
        cortical-voluba backend did; otherwise undefined voxels are NaN.
    step_mm : float
        Arc-length step of the tube advection (0.03 mm as specified).
    max_path_mm : float
        A flow line longer than this toward one side is undefined (6 mm).
    progress : callable, optional
        Called as ``progress(fraction, message)``; an exception it raises (e.g.
        :class:`~cortico.exceptions.JobCancelled`) aborts the computation.

    Returns
    -------
    DepthResult

    Raises
    ------
    InputError
        For non-3D or non-integer data, implausible voxel sizes, labels outside the
        mapping, no cortex, or no outside/white boundary of the cortex.
    """
    report = progress or (lambda fraction, message: None)
    products = _validate_products(products)
    sizes = validate_voxel_sizes(voxel_sizes)
    mapping = LabelMapping.coerce(label_mapping)
    labels = validate_label_volume(labels)
    step, longest = _validate_walk(step_mm, max_path_mm)
    timings = {}
    started = time.perf_counter()

    report(0.0, "classifying labels")
    classes = mapping.classify(labels)
    cortex_count = int(np.count_nonzero(classes == CORTEX))
    if cortex_count == 0:
        found = np.unique(labels)[:20].tolist()
        raise InputError(
            f"the segmentation has no cortex voxels: none of its labels {found} is a "
            f"cortex label {list(mapping.cortex)}"
        )
    box = _crop_box(classes, sizes)
    padded = np.pad(classes[box], 1, mode="constant", constant_values=FACE)
    _check_boundaries(padded)
    cortex_indices = np.flatnonzero(padded == CORTEX).astype(np.int64)
    timings["classify"] = time.perf_counter() - started

    report(0.02, "solving the Laplace equation")
    t0 = time.perf_counter()
    potential, laplace_info = laplace_potential(
        padded,
        cortex_indices,
        sizes,
        progress=lambda done: report(0.02 + 0.28 * done, "solving the Laplace equation"),
    )
    _replicate_border(potential)
    timings["laplace"] = time.perf_counter() - t0

    volumes = None
    if any(p in products for p in ("equivolumetric", "equidistant", "thickness")):
        report(0.3, "computing the curvature of the isosurfaces")
        t0 = time.perf_counter()
        curvature = isosurface_curvature(potential, sizes, sigma_mm=SMOOTHING_SIGMA_MM)
        timings["curvature"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        volumes = _advect_all(potential, curvature, padded, cortex_indices, sizes, step, longest, report)
        del curvature
        timings["advection"] = time.perf_counter() - t0

    report(0.96, "assembling the maps")

    result, undefined = _assemble_maps(
        products,
        classes,
        box,
        padded.shape,
        cortex_indices,
        potential,
        volumes,
        voluba_compatible,
    )
    timings["total"] = time.perf_counter() - started
    report(1.0, "done")
    return DepthResult(
        equivolumetric=result["equivolumetric"],
        laplace=result["laplace"],
        equidistant=result["equidistant"],
        thickness=result["thickness"],
        voxel_sizes=tuple(float(s) for s in sizes),
        cortex_voxels=cortex_count,
        undefined_voxels=undefined,
        details={
            "laplace_sweeps": laplace_info["sweeps"],
            "laplace_converged": laplace_info["converged"],
            "laplace_last_update": laplace_info["last_update"],
            "estimated_thickness_mm": laplace_info["thickness_mm"],
            "crop_shape": tuple(s.stop - s.start for s in box),
            "seconds": timings,
        },
    )
