"""A synthetic cortical patch with a known alignment, for tests and benchmarks.

The template is a wavy spherical shell of cortex (CSF outside, white matter
inside) with a closed-form depth ``clip((R - r_eff) / (R - r_in), 0, 1)`` where
``r_eff`` is the distance to the sphere centre plus a tangential ripple. The
incoming patch is the same cortex seen through a known affine ``A`` (incoming
space -> template RAS) and a smooth warp ``psi`` of incoming space: the incoming
point ``p`` shows the template point ``A(psi(p))``. Incoming space follows the
Neuroglancer convention (voxel ``i`` centred at ``(i + 0.5) * voxel_size``).
"""

from dataclasses import dataclass, field

import nibabel as nib
import numpy as np

from cortico.align._spaces import apply_affine

_PIAL_RADIUS = 60.0
_WHITE_RADIUS = 50.0
_RIPPLE_AMPLITUDE = 1.5
_RIPPLE_WAVELENGTH = 40.0


@dataclass
class SyntheticPatch:
    """A template, a deformed incoming patch and the truth relating them."""

    template_depth: nib.Nifti1Image
    incoming_depth: nib.Nifti1Image
    incoming_image: nib.Nifti1Image
    ideal_image: nib.Nifti1Image
    matrix: np.ndarray
    landmark_pairs: list = field(default_factory=list)
    held_out_pairs: list = field(default_factory=list)
    voxel_size: float = 1.0
    warp_amplitude: float = 4.0

    def true_map(self, incoming_points):
        """Template RAS (mm) shown at incoming-space points (n, 3), i.e. A(psi(p))."""
        return apply_affine(self.matrix, _warp(incoming_points, self.extent, self.warp_amplitude))

    @property
    def extent(self):
        """Side length (mm) of the incoming volume."""
        return self.incoming_depth.shape[0] * self.voxel_size

    def cortex_points(self, margin=3.0):
        """Incoming-space centres of cortex voxels whose template point is inside the template box.

        Parameters
        ----------
        margin : float
            Distance (mm) the true template point must keep from the template's faces.

        Returns
        -------
        indices : numpy.ndarray
            (n, 3) voxel indices.
        points : numpy.ndarray
            (n, 3) incoming-space coordinates (mm).
        """
        depth = np.asarray(self.incoming_depth.dataobj)
        indices = np.argwhere((depth > 0.02) & (depth < 0.98))
        points = (indices + 0.5) * self.voxel_size
        inside = _inside_template(self.true_map(points), self.template_depth, margin)
        return indices[inside], points[inside]


def template_depth_function(points):
    """Closed-form depth (0 pial .. 1 white) at template RAS points (n, 3)."""
    return np.clip((_PIAL_RADIUS - _effective_radius(points)) / (_PIAL_RADIUS - _WHITE_RADIUS), 0, 1)


def template_normals(points, step=0.05):
    """Unit normals of the depth isosurfaces (towards white) at template RAS points (n, 3)."""
    gradient = -_radius_gradient(points, step)
    return gradient / np.linalg.norm(gradient, axis=1, keepdims=True)


def _radius_gradient(points, step=0.05):
    points = np.asarray(points, dtype=float)
    gradient = np.empty_like(points)
    for axis in range(3):
        offset = np.zeros(3)
        offset[axis] = step
        gradient[:, axis] = (_effective_radius(points + offset) - _effective_radius(points - offset)) / (2 * step)
    return gradient


def normal_error(mapped, truth):
    """Distance (mm) from each mapped template point to the depth isosurface of its true point.

    This is the part of an alignment error that depth can see: ``|D(mapped) -
    D(truth)| / |grad D(truth)|``. Measuring the error vector along the normal
    instead would count sliding along a curved layer as normal error.
    """
    truth = np.asarray(truth, dtype=float)
    gradient = np.linalg.norm(_radius_gradient(truth), axis=1) / (_PIAL_RADIUS - _WHITE_RADIUS)
    return np.abs(template_depth_function(mapped) - template_depth_function(truth)) / gradient


def make_synthetic_patch(
    size=64, voxel_size=1.0, warp_amplitude=4.0, n_landmarks=40, n_held_out=10, seed=0, template_padding=0
):
    """Generate a synthetic patch alignment problem.

    Parameters
    ----------
    size : int
        Number of voxels along each side of both volumes.
    voxel_size : float
        Isotropic voxel size (mm) of both volumes.
    warp_amplitude : float
        Largest component (mm) of the smooth non-linear warp ``psi``.
    n_landmarks, n_held_out : int
        Landmark pairs to fit with, and pairs kept apart to test with.
    seed : int
        Seed of the random landmark positions.
    template_padding : int
        Voxels added on each side of the template box (a real template is much
        larger than the patch).

    Returns
    -------
    SyntheticPatch
    """
    rng = np.random.default_rng(seed)
    extent = size * voxel_size
    half = extent / 2
    template_size = size + 2 * template_padding
    template_affine = np.diag([voxel_size] * 3 + [1.0])
    template_affine[:3, 3] = -template_size * voxel_size / 2 + voxel_size / 2
    template_points = apply_affine(template_affine, np.indices((template_size,) * 3).reshape(3, -1).T)
    template_depth = template_depth_function(template_points).reshape((template_size,) * 3)

    angle = np.deg2rad(12.0)
    axis = np.array([1.0, 2.0, 0.5]) / np.linalg.norm([1.0, 2.0, 0.5])
    rotation = _rotation(axis, angle)
    centre = np.full(3, half)
    matrix = np.eye(4)
    matrix[:3, :3] = rotation
    matrix[:3, 3] = np.array([2.0, -3.0, 1.5]) - rotation @ centre

    # The incoming NIfTI world is deliberately unrelated to incoming space: a flipped
    # first axis and an arbitrary origin must not change the alignment.
    incoming_affine = np.diag([-voxel_size, voxel_size, voxel_size, 1.0])
    incoming_affine[:3, 3] = [80.0, -40.0, 15.0]
    indices = np.indices((size,) * 3).reshape(3, -1).T
    incoming_points = (indices + 0.5) * voxel_size
    shown = apply_affine(matrix, _warp(incoming_points, extent, warp_amplitude))
    incoming_depth = template_depth_function(shown).reshape((size,) * 3)
    incoming_image = _texture(shown).reshape((size,) * 3)
    ideal_image = _texture(apply_affine(matrix, incoming_points)).reshape((size,) * 3)

    patch = SyntheticPatch(
        template_depth=_nifti(template_depth, template_affine),
        incoming_depth=_nifti(incoming_depth, incoming_affine),
        incoming_image=_nifti(incoming_image, incoming_affine),
        ideal_image=_nifti(ideal_image, incoming_affine),
        matrix=matrix,
        voxel_size=voxel_size,
        warp_amplitude=warp_amplitude,
    )
    _, cortex = patch.cortex_points(margin=6.0)
    chosen = cortex[rng.choice(len(cortex), n_landmarks + n_held_out, replace=False)]
    chosen = chosen + rng.uniform(-0.5, 0.5, chosen.shape) * voxel_size
    pairs = [
        {"source_point": list(map(float, q)), "target_point": list(map(float, p)), "active": True, "name": f"L{k}"}
        for k, (p, q) in enumerate(zip(chosen, patch.true_map(chosen), strict=True))
    ]
    patch.landmark_pairs = pairs[:n_landmarks]
    patch.held_out_pairs = pairs[n_landmarks:]
    return patch


def _effective_radius(points):
    points = np.asarray(points, dtype=float)
    centre = np.array([0.0, 0.0, -55.0])
    radius = np.linalg.norm(points - centre, axis=1)
    wave = 2 * np.pi / _RIPPLE_WAVELENGTH
    return radius + _RIPPLE_AMPLITUDE * np.sin(wave * points[:, 0]) * np.sin(wave * points[:, 1])


def _warp(points, extent, amplitude):
    points = np.asarray(points, dtype=float).reshape(-1, 3)
    wave = 2 * np.pi / extent
    displacement = amplitude * np.stack(
        [
            np.sin(wave * points[:, 1]),
            0.8 * np.sin(wave * points[:, 2] + 1.0),
            0.6 * np.cos(wave * points[:, 0]),
        ],
        axis=1,
    )
    return points + displacement


def _texture(template_points):
    depth = template_depth_function(template_points)
    cortex = (depth > 0) & (depth < 1)
    stripes = 1.0 + 0.5 * np.sin(2 * np.pi * template_points[:, 0] / 12.0)
    return np.where(cortex, (1.5 + np.sin(2 * np.pi * 3 * depth)) * stripes, 0.0) + 0.2 * (depth >= 1)


def _inside_template(points, template_depth, margin):
    shape = np.array(template_depth.shape)
    index = apply_affine(np.linalg.inv(template_depth.affine), points)
    voxel = np.abs(np.diag(template_depth.affine)[:3])
    low = margin / voxel
    return np.all((index >= low) & (index <= shape - 1 - low), axis=1)


def _rotation(axis, angle):
    x, y, z = axis
    cross = np.array([[0, -z, y], [z, 0, -x], [-y, x, 0]])
    return np.eye(3) + np.sin(angle) * cross + (1 - np.cos(angle)) * cross @ cross


def _nifti(data, affine):
    image = nib.Nifti1Image(data.astype(np.float32), affine)
    image.header.set_xyzt_units("mm")
    image.set_sform(affine, code=1)
    image.set_qform(affine, code=1)
    return image
