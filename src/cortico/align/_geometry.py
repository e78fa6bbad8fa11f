"""Checks of an alignment's geometry that need only the volumes' headers.

They run twice: when a job is submitted (from the stored volumes' metadata, so
that an alignment that cannot be right is refused before it is queued) and in
:func:`~cortico.align.align_patch` (from the images ITK reads).
"""

from dataclasses import dataclass

import numpy as np

from cortico.align._spaces import RAS_TO_LPS, apply_affine, index_to_lps
from cortico.exceptions import InputError

#: Least fraction of the incoming volume that the matrix must place inside the template.
MIN_OVERLAP = 0.5
#: Points per axis of the lattice that measures the overlap.
_LATTICE = 9


@dataclass(frozen=True)
class Grid:
    """A volume's voxel grid: shape, voxel size (mm) and voxel index -> RAS (mm) affine."""

    shape: tuple
    voxel_size: tuple
    affine: np.ndarray

    @classmethod
    def from_ants(cls, image):
        """The grid of an ANTs image (ITK's geometry, in RAS)."""
        return cls(tuple(image.shape), tuple(float(s) for s in image.spacing), RAS_TO_LPS @ index_to_lps(image))

    @classmethod
    def from_nifti_extra(cls, extra):
        """The grid an image service's ``NiftiExtra`` describes (``nifti.size``, ``voxelSize``, ``affineMatrix``).

        None when the metadata is missing or unusable (a remote service's answer is not trusted).
        """
        nifti = (extra or {}).get("nifti") or {}
        try:
            shape = tuple(int(n) for n in nifti["size"][:3])
            voxel_size = tuple(float(s) for s in nifti["voxelSize"][:3])
            affine = np.array(nifti["affineMatrix"], dtype=float).reshape(4, 4)
        except (KeyError, TypeError, ValueError):
            return None
        usable = (
            len(shape) == 3
            and min(shape) > 0
            and len(voxel_size) == 3
            and min(voxel_size) > 0
            and np.all(np.isfinite(affine))
            and abs(np.linalg.det(affine[:3, :3])) > 1e-12
        )
        return cls(shape, voxel_size, affine) if usable else None

    @classmethod
    def from_header(cls, path):
        """The grid of a NIfTI/MGH file, reading its header only."""
        import nibabel as nib

        image = nib.load(str(path))
        return cls(tuple(image.shape[:3]), tuple(float(z) for z in image.header.get_zooms()[:3]), image.affine)

    def index_to_incoming(self, incoming_space):
        """Voxel index -> incoming space (mm) matrix in an incoming-space convention."""
        if incoming_space == "world":
            return np.asarray(self.affine, dtype=float)
        matrix = np.diag(list(self.voxel_size) + [1.0])
        if incoming_space == "neuroglancer":
            matrix[:3, 3] = 0.5 * np.asarray(self.voxel_size)
        return matrix

    def contains_index(self, indices, tolerance=0.5):
        """Which (n, 3) voxel indices lie in the volume (voxel centres +- ``tolerance`` voxel)."""
        upper = np.asarray(self.shape, dtype=float) - 1 + tolerance
        return np.all((indices >= -tolerance) & (indices <= upper), axis=1)


def grid_differences(first, second):
    """What differs between two grids, as phrases (empty when they are the same grid)."""
    differences = []
    if tuple(first.shape) != tuple(second.shape):
        differences.append(f"shape {tuple(first.shape)} vs {tuple(second.shape)}")
    if not np.allclose(first.voxel_size, second.voxel_size, rtol=1e-4):
        differences.append(f"voxel size {_rounded(first.voxel_size)} vs {_rounded(second.voxel_size)} mm")
    a, b = np.asarray(first.affine, dtype=float), np.asarray(second.affine, dtype=float)
    if not np.allclose(a[:3, 3], b[:3, 3], atol=1e-3):
        differences.append(f"origin {_rounded(a[:3, 3])} vs {_rounded(b[:3, 3])} mm")
    directions = [m[:3, :3] / np.linalg.norm(m[:3, :3], axis=0) for m in (a, b)]
    if not np.allclose(*directions, atol=1e-4):
        differences.append(f"axis directions {_rounded(directions[0])} vs {_rounded(directions[1])}")
    return differences


def check_same_grid(first, second, first_name, second_name):
    """Raise InputError, saying what differs, unless two grids are the same."""
    differences = grid_differences(first, second)
    if differences:
        raise InputError(
            f"the {second_name} must be on the {first_name}'s voxel grid; they differ in "
            f"{'; '.join(differences)} ({first_name} first)",
            problems=differences,
        )


def check_geometry(incoming, matrix, landmarks, incoming_space, template=None):
    """Raise InputError if the matrix or the landmarks cannot give a meaningful alignment.

    Parameters
    ----------
    incoming : Grid
        The incoming volume's grid.
    matrix : numpy.ndarray
        4x4 incoming space -> template RAS (already checked by ``parse_matrix``).
    landmarks : LandmarkPairs
        The active pairs.
    incoming_space : str
        The incoming-space convention.
    template : Grid, optional
        The template depth map's grid (template-side checks are skipped without it).

    Raises
    ------
    InputError
        Listing each problem: landmarks outside the incoming volume or the template,
        a matrix placing less than :data:`MIN_OVERLAP` of the patch inside the template.
    """
    problems = []
    to_index = np.linalg.inv(incoming.index_to_incoming(incoming_space))
    outside = ~incoming.contains_index(apply_affine(to_index, landmarks.incoming_points))
    problems += [
        f"landmark {landmarks.names[i]}: target_point {_rounded(landmarks.incoming_points[i])} mm is outside the "
        f"incoming volume ({_extent(incoming, incoming_space)})"
        for i in np.flatnonzero(outside)
    ]
    if template is not None:
        template_index = apply_affine(np.linalg.inv(template.affine), landmarks.template_points)
        problems += [
            f"landmark {landmarks.names[i]}: source_point {_rounded(landmarks.template_points[i])} mm is outside the "
            f"template ({_world_box(template)})"
            for i in np.flatnonzero(~template.contains_index(template_index))
        ]
        overlap = overlap_fraction(incoming, matrix, incoming_space, template)
        if overlap < MIN_OVERLAP:
            centre = apply_affine(
                matrix, apply_affine(incoming.index_to_incoming(incoming_space), [(np.array(incoming.shape) - 1) / 2])
            )[0]
            problems.append(
                f"transformation_matrix places {overlap:.0%} of the incoming volume inside the template "
                f"(at least {MIN_OVERLAP:.0%} needed): its centre lands at {_rounded(centre)} mm, the template "
                f"spans {_world_box(template)}"
            )
    if problems:
        raise InputError(f"{len(problems)} problem(s) with the alignment's geometry: {problems[0]}", problems=problems)


def overlap_fraction(incoming, matrix, incoming_space, template):
    """Fraction of a lattice over the incoming volume that ``matrix`` places inside the template."""
    axes = [np.linspace(0, n - 1, _LATTICE) for n in incoming.shape]
    lattice = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3)
    to_template_index = np.linalg.inv(template.affine) @ matrix @ incoming.index_to_incoming(incoming_space)
    return float(np.mean(template.contains_index(apply_affine(to_template_index, lattice))))


def _extent(grid, incoming_space):
    corners = apply_affine(grid.index_to_incoming(incoming_space), [[-0.5] * 3, np.array(grid.shape) - 0.5])
    low, high = np.minimum(*corners), np.maximum(*corners)
    return f"{incoming_space} space from {_rounded(low)} to {_rounded(high)} mm"


def _world_box(grid):
    index_corners = np.array(np.meshgrid(*[[-0.5, n - 0.5] for n in grid.shape], indexing="ij")).reshape(3, -1).T
    corners = apply_affine(grid.affine, index_corners)
    return f"RAS {_rounded(corners.min(axis=0))} to {_rounded(corners.max(axis=0))} mm"


def _rounded(values):
    return np.round(np.asarray(values, dtype=float), 3).tolist()
