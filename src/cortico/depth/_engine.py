"""compute_depth: label volume in, equivolumetric depth (and side products) out."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cortico.depth._advection import NO_BOUNDARY, PATH_LIMIT, TOUCHED_FACE, advect_voxels, sample_profiles
from cortico.depth._curvature import isosurface_curvature
from cortico.depth._face_curvature import correct_cut_faces
from cortico.depth._labels import CORTEX, OUTSIDE, WHITE, LabelMapping, validate_label_volume
from cortico.depth._laplace import FACE, laplace_potential
from cortico.depth._threads import PARALLEL_LOCK
from cortico.exceptions import InputError

#: Products :func:`compute_depth` can return.
PRODUCTS = ("equivolumetric", "laplace", "equidistant", "thickness", "quality", "curvature")

#: Products made from the equivolumetric depth when ``layers`` is given.
LAYER_PRODUCTS = ("layers", "boundaries")

#: Depth-engine parameters from depth.md, all in mm.
SMOOTHING_SIGMA_MM = 1.0
STEP_MM = 0.03
MAX_PATH_MM = 6.0

#: Adaptive path limit: the first limit is this many times the estimated thickness
#: (at least :data:`MAX_PATH_MM`); walks that reach it are retried with twice the
#: limit until it exceeds the diagonal of the cortex's bounding box.
PATH_LIMIT_THICKNESSES = 3.0

#: Bit of the quality map set on every voxel when the Laplace solver did not converge
#: (the other bits are :data:`~cortico.depth._advection.TOUCHED_FACE`, ``PATH_LIMIT``
#: and ``NO_BOUNDARY``).
LAPLACE_NOT_CONVERGED = 8

#: Default largest fraction of undefined cortex voxels a run may have to count as a success.
MAX_UNDEFINED_FRACTION = 0.01

#: Treatments of the image faces that cut the cortex: ``extend`` continues the field
#: across them (zero second difference in the Laplace stencil, curvature by a quadratic
#: fit to the field inside the image); ``zero-flux`` is the spec's Neumann condition
#: with edge-replicating smoothing (isosurfaces bent to meet oblique faces at right angles).
CUT_FACE_MODES = ("extend", "zero-flux")

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
        Laplace sweeps and convergence, estimated thickness, path limit, counts of
        walks that hit the path limit or found no boundary, per-stage seconds.
    quality : ndarray of uint8 or None
        Per-voxel bits on the cortex: 1 a walk came within a voxel of a cut face of
        the image, 2 a walk gave up at the path limit, 4 a walk reached no boundary
        (zero gradient, non-finite curvature or area), 8 the Laplace solver did not
        converge. 0 is a clean voxel.
    curvature : ndarray or None
        ``div(grad u / |grad u|)`` in 1/mm on the cortex (0 elsewhere), the mean
        curvature (sum of both principal curvatures) of the isosurfaces used by the
        advection; negative where the pial side is convex (gyral crowns, -2/r on a
        sphere with white matter inside), positive in sulcal fundi.
    layers : ndarray of uint8 or None
        With ``layers=N``: equivolume layer 1 (pial) to N (white) on the cortex, 0
        elsewhere and on undefined voxels.
    boundaries : ndarray (X, Y, Z, N - 1) or None
        Level sets of the N - 1 boundaries between layers: ``(depth - k/N) x
        thickness`` in mm along the flow line (negative on the pial side, zero on the
        boundary); outside voxels take ``-k/N`` and white voxels ``(N - k)/N`` of the
        estimated mean thickness.
    profiles : ndarray (X, Y, Z, N) or None
        With ``profile_image``: N samples of it along each cortex voxel's flow line at
        equivolumetric depths 0, 1/(N-1), ..., 1 (pial to white); NaN elsewhere.
    warnings : list of str
        Sentences for the user (Laplace not converged, undefined voxels).
    """

    equivolumetric: np.ndarray | None
    laplace: np.ndarray | None
    equidistant: np.ndarray | None
    thickness: np.ndarray | None
    voxel_sizes: tuple[float, ...]
    cortex_voxels: int
    undefined_voxels: int
    details: dict = field(default_factory=dict)
    quality: np.ndarray | None = None
    curvature: np.ndarray | None = None
    layers: np.ndarray | None = None
    boundaries: np.ndarray | None = None
    profiles: np.ndarray | None = None
    warnings: list = field(default_factory=list)

    @property
    def undefined_fraction(self) -> float:
        """Fraction of the cortex voxels whose depth is undefined."""
        return self.undefined_voxels / self.cortex_voxels if self.cortex_voxels else 0.0


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


def _validate_walk(step_mm, max_path_mm, smoothing_mm):
    """Step, path limit (None = adaptive) and smoothing in mm, or :class:`InputError`."""
    try:
        step = float(step_mm)
        longest = None if max_path_mm is None else float(max_path_mm)
        sigma = float(smoothing_mm)
    except (TypeError, ValueError):
        raise InputError(
            "the advection step, path limit and smoothing must be numbers in mm, got "
            f"{step_mm!r}, {max_path_mm!r} and {smoothing_mm!r}"
        ) from None
    if not (math.isfinite(step) and 0 < step <= 1.0):
        raise InputError(f"the advection step must lie in (0, 1] mm, got {step_mm!r}")
    if longest is not None and not (math.isfinite(longest) and step < longest <= 1000.0):
        raise InputError(f"the path limit must lie between the step and 1000 mm, got {max_path_mm!r}")
    if not (math.isfinite(sigma) and 0 <= sigma <= 10.0):
        raise InputError(f"the smoothing must lie in [0, 10] mm, got {smoothing_mm!r}")
    return step, longest, sigma


def _advect_all(potential, curvature, padded, cortex_indices, sizes, step, limits, report):
    """Volumes and lengths toward pial and white (n, 4), flags (n,) and the longest path limit used.

    ``limits`` are the path limits to try in turn: walks that give up at one limit are
    repeated with the next.
    """
    mask = (padded == CORTEX).astype(np.float32)
    _replicate_border(mask)
    walks = np.empty((cortex_indices.size, 4), dtype=np.float64)
    flags = np.zeros(cortex_indices.size, dtype=np.uint8)
    todo = None  # indices (into cortex_indices) of the walks to repeat; None: all
    used = limits[0]
    for attempt, longest in enumerate(limits):
        used = longest
        if attempt == 0:  # every voxel: write in place (a copy of the walks is 320 MB at 10^7 voxels)
            indices, part_walks, part_flags = cortex_indices, walks, flags
        else:
            indices = cortex_indices[todo]
            part_walks = np.empty((todo.size, 4), dtype=np.float64)
            part_flags = np.zeros(todo.size, dtype=np.uint8)
        chunks = _ADVECTION_CHUNKS if attempt == 0 else 1
        bounds = np.linspace(0, indices.size, chunks + 1).astype(np.int64)
        for n, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:])):
            if attempt == 0:
                report(0.35 + 0.6 * n / chunks, "advecting flow tubes")
            if hi > lo:
                with PARALLEL_LOCK:
                    advect_voxels(
                        potential,
                        curvature,
                        mask,
                        indices[lo:hi],
                        sizes,
                        step,
                        longest,
                        part_walks[lo:hi],
                        part_flags[lo:hi],
                    )
        if attempt > 0:
            walks[todo] = part_walks
            flags[todo] = part_flags
            todo = todo[(part_flags & PATH_LIMIT) != 0]
        else:
            todo = np.flatnonzero(flags & PATH_LIMIT)
        if todo.size == 0:
            break
        report(0.95, f"advecting {todo.size} long flow tubes again with a longer path limit")
    return walks, flags, used


def _path_limits(max_path_mm, thickness_mm, box_shape, sizes):
    """Path limits to try: the one given, or 3 x thickness doubled up to the box diagonal."""
    if max_path_mm is not None:
        return [max_path_mm]
    diagonal = float(np.sqrt(np.sum((np.asarray(box_shape) * sizes) ** 2)))
    limit = max(MAX_PATH_MM, PATH_LIMIT_THICKNESSES * thickness_mm)
    limits = [limit]
    while limit < diagonal:
        limit = min(2.0 * limit, diagonal)
        limits.append(limit)
    return limits


def _crop_box(classes, voxel_sizes, sigma_mm):
    """Bounding box of the cortex plus a margin covering the smoothing kernel."""
    margin = [int(4.0 * sigma_mm / h + 0.5) + 2 for h in voxel_sizes]
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


def _cut_faces(padded):
    """Faces of the image the cortex touches, and those of them to continue the potential across.

    Faces are (axis, side) with side 0 the low end. A face whose layer holds cortex
    but not both outside and white voxels keeps the zero-flux condition for the
    potential: continued across it, its layer would have no in-plane boundary on one
    side and its potential would be constant.
    """
    touched, extended = [], []
    for axis in range(3):
        if padded.shape[axis] == 3:
            continue  # a one-voxel-thick section: the field does not vary across it
        for side, index in ((0, 1), (1, padded.shape[axis] - 2)):
            layer = [slice(None)] * 3
            layer[axis] = index
            values = padded[tuple(layer)]
            if np.any(values == CORTEX):
                touched.append((axis, side))
                if np.any(values == OUTSIDE) and np.any(values == WHITE):
                    extended.append((axis, side))
    return touched, extended


def _replicate_border(grid):
    """Copy the values next to the one-voxel border onto the border (in place)."""
    grid[0], grid[-1] = grid[1], grid[-2]
    grid[:, 0], grid[:, -1] = grid[:, 1], grid[:, -2]
    grid[:, :, 0], grid[:, :, -1] = grid[:, :, 1], grid[:, :, -2]


def _assemble_maps(
    products, classes, box, padded_shape, cortex_indices, potential, volumes, flags, voluba_compatible, curvature
):
    """Requested maps on the input grid and the number of undefined cortex voxels."""

    def on_input_grid(cortex_values, outside_value, white_value, dtype=np.float32):
        out = np.full(classes.shape, outside_value, dtype=dtype)
        out[classes == WHITE] = white_value
        cropped = np.full(padded_shape, np.nan if dtype == np.float32 else 0, dtype=dtype)
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
    if "quality" in products:
        maps["quality"] = on_input_grid(flags, 0, 0, dtype=np.uint8)
    if "curvature" in products and curvature is not None:
        values = curvature if not voluba_compatible else np.where(np.isfinite(curvature), curvature, 0.0)
        maps["curvature"] = on_input_grid(values, 0.0, 0.0)
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


def _validate_profile(image, samples, shape):
    if image is None:
        return None
    image = np.asanyarray(image)
    while image.ndim > len(shape) and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim == len(shape) - 1 and shape[-1] == 1:  # a 2-D section
        image = image[..., None]
    if image.shape != tuple(shape):
        raise InputError(f"the profile image has shape {image.shape}; it must be on the segmentation's grid {shape}")
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 2 <= samples <= 1000:
        raise InputError(f"profile samples must be a whole number from 2 to 1000, got {samples!r}")
    if not np.issubdtype(image.dtype, np.number) or np.issubdtype(image.dtype, np.complexfloating):
        raise InputError(f"the profile image has data type {image.dtype}; expected real numbers")
    return image.reshape(tuple(shape) + (1,) * (3 - len(shape)))


def _profiles(image, samples, box, potential, curvature, padded, cortex_indices, volumes, sizes, step, limit, shape):
    """Samples of ``image`` along the flow line of every cortex voxel, (X, Y, Z, samples) on the input grid."""
    grid = np.pad(np.asarray(image[box], dtype=np.float32), 1, mode="edge")
    mask = (padded == CORTEX).astype(np.float32)
    _replicate_border(mask)
    values = np.empty((cortex_indices.size, samples), dtype=np.float32)
    with PARALLEL_LOCK:
        sample_profiles(potential, curvature, mask, grid, cortex_indices, volumes, sizes, step, limit, samples, values)
    out = np.full((*shape, samples), np.nan, dtype=np.float32)
    cropped = np.full((*padded.shape, samples), np.nan, dtype=np.float32)
    cropped.reshape(-1, samples)[cortex_indices] = values
    out[box] = cropped[1:-1, 1:-1, 1:-1]
    return out


def _validate_layers(layers):
    if layers is None:
        return None
    if isinstance(layers, bool) or not isinstance(layers, (int, np.integer)) or not 2 <= layers <= 100:
        raise InputError(f"layers must be a whole number from 2 to 100, got {layers!r}")
    return int(layers)


def layer_maps(depth, thickness, classes, count, mean_thickness):
    """Equivolume layer labels (uint8) and the level sets of the count - 1 boundaries (float32, 4D).

    Parameters
    ----------
    depth, thickness : ndarray
        Equivolumetric depth (0 pial, 1 white) and flow-line thickness in mm.
    classes : ndarray of uint8
        OUTSIDE / CORTEX / WHITE per voxel.
    count : int
        Number of layers N.
    mean_thickness : float
        Used off the cortex, where the level sets only need the right sign.
    """
    cortex = classes == CORTEX
    defined = cortex & np.isfinite(depth) & np.isfinite(thickness) & (thickness > 0)
    labels = np.zeros(depth.shape, dtype=np.uint8)
    labels[defined] = np.clip(np.floor(np.clip(depth[defined], 0, 1) * count), 0, count - 1).astype(np.uint8) + 1
    boundaries = np.empty((*depth.shape, count - 1), dtype=np.float32)
    for k in range(1, count):
        level = np.full(depth.shape, np.nan, dtype=np.float32)
        level[classes == OUTSIDE] = -k / count * mean_thickness
        level[classes == WHITE] = (count - k) / count * mean_thickness
        level[defined] = (np.clip(depth[defined], 0, 1) - k / count) * thickness[defined]
        boundaries[..., k - 1] = level
    return labels, boundaries


def undefined_problem(result: DepthResult, max_fraction: float = MAX_UNDEFINED_FRACTION) -> str | None:
    """A sentence saying why too many voxels are undefined, or None when at most ``max_fraction`` are.

    Parameters
    ----------
    result : DepthResult
    max_fraction : float
        Largest acceptable fraction of undefined cortex voxels (0.01 = 1 %).
    """
    if result.undefined_fraction <= max_fraction:
        return None
    details = result.details
    sizes = ", ".join(f"{s:.4g}" for s in result.voxel_sizes)
    causes = []
    if details.get("path_limit_voxels"):
        causes.append(
            f"{details['path_limit_voxels']} flow lines were longer than the path limit of "
            f"{details['path_limit_mm']:.3g} mm"
        )
    if details.get("no_boundary_voxels"):
        causes.append(f"{details['no_boundary_voxels']} flow lines reached no pial or white boundary")
    return (
        f"{100 * result.undefined_fraction:.2f} % of the {result.cortex_voxels} cortex voxels have no depth "
        f"(more than the accepted {100 * max_fraction:.3g} %): {'; '.join(causes) or 'advection failed'}. "
        f"The likely cause is a wrong voxel size in the header ({sizes} mm used, estimated mean "
        f"thickness {details.get('estimated_thickness_mm', float('nan')):.3g} mm; cortex is 1-5 mm thick); "
        "otherwise the segmentation is not a cortical ribbon between pial and white boundaries."
    )


def compute_depth(
    labels: np.ndarray,
    voxel_sizes,
    *,
    label_mapping=None,
    products=("equivolumetric",),
    voluba_compatible: bool = False,
    step_mm: float = STEP_MM,
    max_path_mm: float | None = None,
    smoothing_mm: float = SMOOTHING_SIGMA_MM,
    cut_faces: str = "extend",
    layers: int | None = None,
    profile_image: np.ndarray | None = None,
    profile_samples: int = 0,
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
        ``"thickness"``, ``"quality"``; the others are returned as ``None``.
    voluba_compatible : bool
        Undefined voxels become 0.5 and maps are clipped to [0, 1], as the
        cortical-voluba backend did; otherwise undefined voxels are NaN.
    step_mm : float
        Arc-length step of the tube advection (0.03 mm as specified).
    max_path_mm : float or None
        A flow line longer than this toward one side is undefined. ``None`` (default)
        follows the data: 3 x the estimated mean thickness (at least 6 mm), doubled for
        the walks that reach it, up to the diagonal of the cortex's bounding box.
    smoothing_mm : float
        Gaussian sigma in mm of the smoothing before the curvature (1 mm).
    cut_faces : str
        ``"extend"`` (default): where the cortex reaches the image faces the field is
        continued across them, so that faces cutting the cortex obliquely do not bend
        the isosurfaces; ``"zero-flux"``: the spec's Neumann condition (exact only for
        faces perpendicular to the cortex).
    layers : int, optional
        N >= 2: also return N equivolume layers and the N - 1 boundary level sets
        (``layers`` and ``boundaries``), as nighres' volumetric layering does.
    profile_image : ndarray, optional
        An intensity image on the same grid: ``profiles`` then holds, for every cortex
        voxel, ``profile_samples`` (>= 2) samples of it along the voxel's flow line at
        equivolumetric depths 0 (pial) to 1 (white), trilinearly interpolated; NaN off
        the cortex and where the flow line is undefined.
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
    section = np.ndim(labels) == 2
    if section:  # a native 2-D section: one voxel thick, with no face across its thickness
        labels = np.asanyarray(labels)[:, :, None]
        voxel_sizes = _section_sizes(voxel_sizes)
    sizes = validate_voxel_sizes(voxel_sizes)
    mapping = LabelMapping.coerce(label_mapping)
    labels = validate_label_volume(labels)
    step, longest, sigma = _validate_walk(step_mm, max_path_mm, smoothing_mm)
    if cut_faces not in CUT_FACE_MODES:
        raise InputError(f"cut_faces must be one of {list(CUT_FACE_MODES)}, got {cut_faces!r}")
    extend = cut_faces == "extend"
    layers = _validate_layers(layers)
    profile = _validate_profile(profile_image, profile_samples, np.shape(labels))
    if profile is not None and "equivolumetric" not in products:
        products = (*products, "equivolumetric")
    if layers and "equivolumetric" not in products:
        products = (*products, "equivolumetric")
    if layers and "thickness" not in products:
        products = (*products, "thickness")
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
    box = _crop_box(classes, sizes, sigma)
    padded = np.pad(classes[box], 1, mode="constant", constant_values=FACE)
    _check_boundaries(padded)
    cortex_indices = np.flatnonzero(padded == CORTEX).astype(np.int64)
    timings["classify"] = time.perf_counter() - started

    faces, extended_faces = _cut_faces(padded) if extend else ([], [])
    report(0.02, "solving the Laplace equation")
    t0 = time.perf_counter()
    potential, laplace_info = laplace_potential(
        padded,
        cortex_indices,
        sizes,
        progress=lambda done: report(0.02 + 0.28 * done, "solving the Laplace equation"),
        extend_faces=extended_faces,
    )
    _replicate_border(potential)
    timings["laplace"] = time.perf_counter() - t0

    warnings = []
    if not laplace_info["converged"]:
        warnings.append(
            f"the Laplace solver stopped after {laplace_info['sweeps']} sweeps without converging "
            f"(last update {laplace_info['last_update']:.3g}); depths may be inaccurate"
        )
    volumes = None
    profiles = None
    cortex_curvature = None
    flags = np.zeros(cortex_indices.size, dtype=np.uint8)
    limits = _path_limits(longest, laplace_info["thickness_mm"], padded.shape, sizes)
    used_limit = limits[0]
    if any(p in products for p in ("equivolumetric", "equidistant", "thickness", "quality", "curvature")):
        report(0.3, "computing the curvature of the isosurfaces")
        t0 = time.perf_counter()
        curvature = isosurface_curvature(potential, sizes, sigma_mm=sigma)
        correct_cut_faces(curvature, potential, sizes, sigma, faces)
        cortex_curvature = curvature.reshape(-1)[cortex_indices] if "curvature" in products else None
        timings["curvature"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        volumes, flags, used_limit = _advect_all(
            potential, curvature, padded, cortex_indices, sizes, step, limits, report
        )
        if profile is not None:
            report(0.955, "sampling profiles along the flow lines")
            profiles = _profiles(
                profile,
                profile_samples,
                box,
                potential,
                curvature,
                padded,
                cortex_indices,
                volumes,
                sizes,
                step,
                used_limit,
                classes.shape,
            )
        del curvature
        timings["advection"] = time.perf_counter() - t0
    if not laplace_info["converged"]:
        flags |= LAPLACE_NOT_CONVERGED

    report(0.96, "assembling the maps")

    result, undefined = _assemble_maps(
        products,
        classes,
        box,
        padded.shape,
        cortex_indices,
        potential,
        volumes,
        flags,
        voluba_compatible,
        cortex_curvature,
    )
    timings["total"] = time.perf_counter() - started
    failed = volumes is not None and ~np.all(np.isfinite(volumes), axis=1)
    report(1.0, "done")
    depth = DepthResult(
        equivolumetric=result["equivolumetric"],
        laplace=result["laplace"],
        equidistant=result["equidistant"],
        thickness=result["thickness"],
        quality=result["quality"],
        curvature=result["curvature"],
        voxel_sizes=tuple(float(s) for s in sizes),
        cortex_voxels=cortex_count,
        undefined_voxels=undefined,
        warnings=warnings,
        details={
            "laplace_sweeps": laplace_info["sweeps"],
            "laplace_converged": laplace_info["converged"],
            "laplace_last_update": laplace_info["last_update"],
            "estimated_thickness_mm": laplace_info["thickness_mm"],
            "smoothing_mm": sigma,
            "cut_faces": cut_faces,
            "cut_faces_corrected": len(faces),
            "cut_faces_continued": len(extended_faces),
            "path_limit_mm": used_limit,
            "path_limit_voxels": int(np.count_nonzero(failed & ((flags & PATH_LIMIT) != 0))),
            "no_boundary_voxels": int(np.count_nonzero(failed & ((flags & NO_BOUNDARY) != 0))),
            "cut_face_voxels": int(np.count_nonzero(flags & TOUCHED_FACE)),
            "crop_shape": tuple(s.stop - s.start for s in box),
            "seconds": timings,
        },
    )
    depth.profiles = profiles
    if layers:
        depth.layers, depth.boundaries = layer_maps(
            depth.equivolumetric, depth.thickness, classes, layers, laplace_info["thickness_mm"]
        )
    if undefined:
        depth.warnings.append(
            f"{undefined} of {cortex_count} cortex voxels ({100 * depth.undefined_fraction:.3g} %) have no depth"
        )
    if section:
        _drop_section_axis(depth)
    return depth


def _section_sizes(voxel_sizes):
    """Pixel sizes of a 2-D section (two, or three of which the last is ignored) as three sizes."""
    try:
        sizes = [float(s) for s in np.asarray(voxel_sizes, dtype=np.float64).reshape(-1)]
    except (TypeError, ValueError):
        raise InputError(f"pixel sizes must be two numbers in mm, got {voxel_sizes!r}") from None
    if len(sizes) not in (2, 3):
        raise InputError(f"a 2-D section needs two pixel sizes in mm, got {voxel_sizes!r}")
    return (sizes[0], sizes[1], min(sizes[0], sizes[1]))


def _drop_section_axis(result):
    """Turn the maps of a one-voxel-thick volume back into 2-D images."""
    for name in (*PRODUCTS, "layers"):
        value = getattr(result, name)
        if value is not None:
            setattr(result, name, value[:, :, 0])
    for name in ("boundaries", "profiles"):
        if getattr(result, name) is not None:
            setattr(result, name, getattr(result, name)[:, :, 0, :])
