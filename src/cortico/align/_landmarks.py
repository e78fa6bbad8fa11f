"""A smooth displacement field through the landmark pairs (incoming -> template).

The field is a multilevel B-spline fit (``ants.fit_bspline_displacement_field``)
of the displacements that bring each incoming landmark onto its template
partner once the affine is applied. It is smooth by construction; an exact
interpolant such as a thin-plate spline extrapolates wildly away from the
landmarks (measured: 12.5 mm), so it is not used.
"""

import numpy as np

from cortico.align._fields import sample, to_ants
from cortico.align._spaces import apply_affine, index_to_lps
from cortico.exceptions import InputError

# B-spline mesh: 1 span at the coarsest of 4 levels gives 8 spans across the patch,
# smooth enough to leave the fine (normal) alignment to SyN. Chosen on the synthetic
# patch, see docs/alignment.md.
FITTING_LEVELS = 4
MESH_SIZE = 1
#: The field is fitted and inverted on a grid of at most this many points per axis, then
#: interpolated to the full grid: 8 B-spline spans vary slowly on that scale.
COARSE_POINTS = 32
#: Folds of the cross-validation that picks the boundary condition.
FOLDS = 5
BOUNDARIES = ("free", "stationary")


def landmark_field(reference, incoming_lps, template_lps, incoming_to_template_lps, names=None, boundary="auto"):
    """Fit the landmark displacement field and its inverse on the incoming grid.

    Parameters
    ----------
    reference : ants.ANTsImage
        The incoming depth map (gives the grid).
    incoming_lps : numpy.ndarray
        (n, 3) incoming landmarks, incoming LPS world (mm).
    template_lps : numpy.ndarray
        (n, 3) their template partners, template LPS (mm).
    incoming_to_template_lps : numpy.ndarray
        4x4 affine from incoming LPS to template LPS.
    names : sequence of str, optional
        Landmark names for error messages.
    boundary : {"auto", "free", "stationary"}
        B-spline boundary condition: ``free`` extrapolates the landmarks' trend to
        the volume's faces, ``stationary`` pins the displacement to 0 there. ``auto``
        fits both and keeps the one with the smaller cross-validated landmark
        residual (which one suits depends on how the landmarks cover the patch).

    Returns
    -------
    forward, inverse : numpy.ndarray
        ``reference.shape + (3,)`` displacement arrays (LPS mm): ``forward`` maps an
        incoming point ``x`` to ``x + u(x)`` with ``affine(x + u(x))`` near the
        template partner at landmarks; ``inverse`` undoes it.
    info : dict
        ``boundary`` (the one used) and ``cross_validated_residual_mm`` per boundary
        (``auto`` only; None when there are fewer than ``2 * FOLDS`` landmarks, and
        then ``free`` is used).

    Raises
    ------
    InputError
        A landmark's incoming point lies outside the incoming volume.
    """
    import ants

    origins = _inside_grid(reference, incoming_lps, names)
    goals = apply_affine(np.linalg.inv(incoming_to_template_lps), template_lps)
    displacements = np.ascontiguousarray(goals - incoming_lps, dtype=float)
    coarse, factor = _coarse_reference(reference)
    scores, chosen = {}, boundary
    if boundary == "auto":
        scores = {name: _cross_validated_residual(coarse, origins, displacements, name) for name in BOUNDARIES}
        known = {name: score for name, score in scores.items() if score is not None}
        chosen = min(known, key=known.get) if len(known) == len(BOUNDARIES) else BOUNDARIES[0]
    elif boundary not in BOUNDARIES:
        raise InputError(f"landmark boundary must be auto, free or stationary, got {boundary!r}")
    coarse_forward = _fit(coarse, origins, displacements, chosen)
    coarse_inverse = ants.invert_displacement_field(
        to_ants(coarse_forward, coarse), to_ants(-coarse_forward, coarse), maximum_number_of_iterations=50
    ).numpy()
    forward = _upsample(coarse_forward, factor, reference.shape)
    inverse = _upsample(coarse_inverse, factor, reference.shape)
    info = {"boundary": chosen, "cross_validated_residual_mm": {k: _round(v) for k, v in scores.items()}}
    return forward, inverse, info


def _upsample(values, factor, shape):
    """Trilinear interpolation of a coarse grid (index ``i`` = fine index ``i * factor``) onto ``shape``."""
    out = np.asarray(values, dtype=np.float32)
    for axis, size in enumerate(shape):
        position = np.arange(size, dtype=np.float32) / factor
        low = (
            np.minimum(position.astype(np.intp), out.shape[axis] - 2)
            if out.shape[axis] > 1
            else np.zeros(size, np.intp)
        )
        weight = np.clip(position - low, 0, 1).reshape((-1,) + (1,) * (out.ndim - axis - 1))
        high = np.minimum(low + 1, out.shape[axis] - 1)
        out = np.take(out, low, axis=axis) * (1 - weight) + np.take(out, high, axis=axis) * weight
    return np.ascontiguousarray(out, dtype=np.float32)


def _round(value):
    return None if value is None else round(float(value), 4)


def _coarse_reference(reference):
    """A grid over ``reference``'s region, at most COARSE_POINTS per axis, and its integer spacing factor."""
    import ants

    factor = max(1, int(np.ceil((max(reference.shape) - 1) / (COARSE_POINTS - 1))))
    shape = tuple(int(np.ceil((n - 1) / factor)) + 1 for n in reference.shape)
    coarse = ants.make_image(
        shape,
        0.0,
        spacing=tuple(s * factor for s in reference.spacing),
        origin=reference.origin,
        direction=reference.direction,
    )
    return coarse, factor


def _fit(domain, origins, displacements, boundary):
    import ants

    fitted = ants.fit_bspline_displacement_field(
        displacement_origins=origins,
        displacements=displacements,
        origin=domain.origin,
        spacing=domain.spacing,
        size=domain.shape,
        direction=np.asarray(domain.direction),
        number_of_fitting_levels=FITTING_LEVELS,
        mesh_size=MESH_SIZE,
        enforce_stationary_boundary=boundary == "stationary",
    )
    return fitted.numpy().astype(np.float32)


def _cross_validated_residual(domain, origins, displacements, boundary):
    """Mean residual (mm) at landmarks left out of the fit, FOLDS-fold; None below 2 * FOLDS landmarks."""
    count = len(origins)
    if count < 2 * FOLDS:
        return None
    order = np.random.default_rng(0).permutation(count)
    residuals = []
    for fold in np.array_split(order, FOLDS):
        kept = np.setdiff1d(order, fold)
        field = _fit(domain, origins[kept], displacements[kept], boundary)
        residuals.append(np.linalg.norm(sample(field, domain, origins[fold]) - displacements[fold], axis=1))
    return float(np.mean(np.concatenate(residuals)))


def _inside_grid(reference, points, names):
    """Points clipped into the B-spline domain (voxel centres); InputError if clearly outside."""
    to_index = np.linalg.inv(index_to_lps(reference))
    indices = apply_affine(to_index, points)
    upper = np.array(reference.shape, dtype=float) - 1
    outside = np.any((indices < -0.5) | (indices > upper + 0.5), axis=1)
    if outside.any():
        labels = [names[i] if names else f"#{i}" for i in np.flatnonzero(outside)]
        raise InputError(
            f"{len(labels)} landmark(s) have a target_point outside the incoming volume: {', '.join(labels)}",
            problems=[f"landmark {label}: target_point outside the incoming volume" for label in labels],
        )
    clipped = np.clip(indices, 0, upper - 1e-6)
    return np.ascontiguousarray(apply_affine(index_to_lps(reference), clipped), dtype=float)
