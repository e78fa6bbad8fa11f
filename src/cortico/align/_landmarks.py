"""A smooth displacement field through the landmark pairs (incoming -> template).

The field is a multilevel B-spline fit (``ants.fit_bspline_displacement_field``)
of the displacements that bring each incoming landmark onto its template
partner once the affine is applied. It is smooth by construction; an exact
interpolant such as a thin-plate spline extrapolates wildly away from the
landmarks (measured: 12.5 mm), so it is not used.
"""

import numpy as np

from cortico.align._fields import to_ants
from cortico.align._spaces import apply_affine, index_to_lps
from cortico.exceptions import InputError

# B-spline mesh: 1 span at the coarsest of 3 levels gives 4 spans across the patch,
# smooth enough to leave the fine (normal) alignment to SyN. Chosen on the synthetic
# patch, see docs/alignment.md.
FITTING_LEVELS = 4
MESH_SIZE = 1


def landmark_field(reference, incoming_lps, template_lps, incoming_to_template_lps, names=None):
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

    Returns
    -------
    forward, inverse : numpy.ndarray
        ``reference.shape + (3,)`` displacement arrays (LPS mm): ``forward`` maps an
        incoming point ``x`` to ``x + u(x)`` with ``affine(x + u(x))`` near the
        template partner at landmarks; ``inverse`` undoes it.

    Raises
    ------
    InputError
        A landmark's incoming point lies outside the incoming volume.
    """
    import ants

    origins = _inside_grid(reference, incoming_lps, names)
    goals = apply_affine(np.linalg.inv(incoming_to_template_lps), template_lps)
    fitted = ants.fit_bspline_displacement_field(
        displacement_origins=origins,
        displacements=np.ascontiguousarray(goals - incoming_lps, dtype=float),
        origin=reference.origin,
        spacing=reference.spacing,
        size=reference.shape,
        direction=np.asarray(reference.direction),
        number_of_fitting_levels=FITTING_LEVELS,
        mesh_size=MESH_SIZE,
        enforce_stationary_boundary=False,
    )
    forward = fitted.numpy().astype(np.float32)
    forward_image = to_ants(forward, reference)
    inverse = ants.invert_displacement_field(
        forward_image, to_ants(-forward, reference), maximum_number_of_iterations=50
    )
    return forward, inverse.numpy().astype(np.float32)


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
