"""Closed, smooth, decimated meshes from labelled volumes."""

import numpy as np
from scipy import ndimage, sparse

from cortico.atlases._geometry import face_normals, signed_volume, vertex_adjacency
from cortico.atlases._model import Mesh
from cortico.exceptions import InputError

# Taubin lambda/mu: a low-pass filter that smooths voxel steps without shrinking.
TAUBIN_LAMBDA = 0.5
TAUBIN_MU = -0.53


def taubin_smooth(vertices, faces, iterations=20, lam=TAUBIN_LAMBDA, mu=TAUBIN_MU):
    """Taubin (lambda|mu) smoothing with the umbrella operator.

    Parameters
    ----------
    vertices : ndarray, shape (n, 3)
    faces : ndarray, shape (m, 3)
    iterations : int
        Number of lambda+mu pairs.

    Returns
    -------
    ndarray, shape (n, 3), float64
    """
    adjacency = vertex_adjacency(faces, len(vertices))
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    degree[degree == 0] = 1.0
    average = sparse.diags(1.0 / degree) @ adjacency
    smoothed = np.asarray(vertices, dtype=np.float64).copy()
    for _ in range(iterations):
        smoothed += lam * (average @ smoothed - smoothed)
        smoothed += mu * (average @ smoothed - smoothed)
    return smoothed


def clean_mesh(vertices, faces, min_area=1e-8):
    """Drop degenerate faces (repeated vertices or ~zero area) and unused vertices."""
    faces = np.asarray(faces)
    repeated = (faces[:, 0] == faces[:, 1]) | (faces[:, 1] == faces[:, 2]) | (faces[:, 0] == faces[:, 2])
    area = np.linalg.norm(face_normals(vertices, faces), axis=1) / 2.0
    faces = faces[~repeated & (area > min_area)]
    used, inverse = np.unique(faces, return_inverse=True)
    return np.asarray(vertices)[used], inverse.reshape(-1, 3)


def drop_double_walls(faces):
    """Remove every face whose vertex triple occurs more than once.

    Decimating thin sheets (cerebellar folia) can collapse two opposite walls onto
    the same triangle; both copies go, which leaves the rest of the mesh closed.
    """
    ordered = np.sort(faces, axis=1)
    _, inverse, counts = np.unique(ordered, axis=0, return_inverse=True, return_counts=True)
    return faces[counts[inverse.ravel()] == 1]


def is_closed_manifold(faces):
    """True when every edge is shared by exactly two faces."""
    from cortico.atlases._geometry import edge_use_counts

    return bool(len(faces)) and bool((edge_use_counts(faces)[1] == 2).all())


def decimate_closed(vertices, faces, decimation, max_faces):
    """Quadric decimation that keeps the mesh closed.

    Quadric decimation (fast-simplification) may pinch thin parts into edges
    shared by four faces; then a gentler reduction is tried, down to none.
    """
    import fast_simplification

    target = min(len(faces) * (1.0 - decimation), max_faces)
    for _ in range(4):
        if target >= len(faces):
            break
        reduced_vertices, reduced_faces = fast_simplification.simplify(
            np.asarray(vertices, dtype=np.float32),
            np.asarray(faces, dtype=np.int32),
            target_reduction=1.0 - target / len(faces),
        )
        reduced_faces = drop_double_walls(reduced_faces)
        if is_closed_manifold(reduced_faces):
            return reduced_vertices, reduced_faces
        target = (target + len(faces)) / 2.0
    return vertices, faces


def _keep_main_components(mask, min_fraction):
    components, count = ndimage.label(mask)
    if count <= 1:
        return mask
    sizes = np.bincount(components.ravel())[1:]
    keep = np.flatnonzero(sizes >= max(1, min_fraction * sizes.sum())) + 1
    if keep.size == 0:
        keep = np.array([np.argmax(sizes) + 1])
    return np.isin(components, keep)


def mask_to_mesh(
    mask, affine, *, smoothing_iterations=20, decimation=0.75, max_faces=12000, min_component_fraction=0.01
):
    """Mesh the boundary of a binary volume: marching cubes, Taubin, decimation.

    Parameters
    ----------
    mask : ndarray of bool, 3-D
    affine : ndarray, shape (4, 4)
        Voxel to world (mm) transform.
    smoothing_iterations : int
        Taubin iterations (0 keeps the voxel staircase).
    decimation : float
        Fraction of the marching-cubes faces to remove (0 keeps all).
    max_faces : int
        Decimate further when more faces than this remain.
    min_component_fraction : float
        Disconnected pieces smaller than this fraction of the voxels are dropped
        (stray voxels of automatic segmentations).

    Returns
    -------
    Mesh
        Closed, outward-oriented, in world coordinates.
    """
    from skimage.measure import marching_cubes

    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        raise InputError("Cannot build a mesh from an empty label.")
    # crop first: labelling components of a whole 256^3 volume per structure was
    # most of the build time
    box = tuple(
        slice(int(hits[0]), int(hits[-1]) + 1)
        for hits in (np.flatnonzero(mask.any(axis=tuple(a for a in range(3) if a != axis))) for axis in range(3))
    )
    cropped = _keep_main_components(mask[box], min_component_fraction)
    inner = ndimage.find_objects(cropped.astype(np.uint8))[0]
    corner = np.array([outer.start + part.start for outer, part in zip(box, inner, strict=True)])
    cropped = cropped[inner]
    padded = np.pad(cropped, 2).astype(np.float32)
    vertices, faces, _, _ = marching_cubes(padded, level=0.5, allow_degenerate=False)
    vertices = vertices + corner - 2
    if smoothing_iterations:
        vertices = taubin_smooth(vertices, faces, smoothing_iterations)
    vertices, faces = decimate_closed(vertices, faces, decimation, max_faces)
    affine = np.asarray(affine, dtype=np.float64)
    world = vertices @ affine[:3, :3].T + affine[:3, 3]
    world, faces = clean_mesh(world, faces)
    if signed_volume(world, faces) < 0:
        faces = faces[:, ::-1]
    return Mesh.from_arrays(world, faces)
