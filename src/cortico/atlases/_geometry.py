"""Triangle-mesh geometry helpers (numpy only)."""

import numpy as np


def face_normals(vertices, faces):
    """Unnormalised face normals (cross product, length = 2 x area)."""
    v = np.asarray(vertices, dtype=np.float64)
    a, b, c = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    return np.cross(b - a, c - a)


def vertex_normals(vertices, faces):
    """Area-weighted unit vertex normals.

    Parameters
    ----------
    vertices : ndarray, shape (n, 3)
    faces : ndarray, shape (m, 3)
        Counter-clockwise seen from outside, so normals point outwards.

    Returns
    -------
    ndarray, shape (n, 3), float32
        Unit normals; a vertex used by no face gets (0, 0, 0).
    """
    fn = face_normals(vertices, faces)
    corners = np.asarray(faces).ravel()
    normals = np.stack(
        [np.bincount(corners, weights=np.repeat(fn[:, axis], 3), minlength=len(vertices)) for axis in range(3)],
        axis=1,
    )
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    np.divide(normals, length, out=normals, where=length > 0)
    return normals.astype(np.float32)


def signed_volume(vertices, faces):
    """Volume enclosed by a closed mesh; positive when faces are oriented outwards."""
    v = np.asarray(vertices, dtype=np.float64)
    a, b, c = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    return float(np.einsum("ij,ij->i", a, np.cross(b, c)).sum() / 6.0)


def edge_use_counts(faces):
    """How many faces use each undirected edge: (edges (k, 2), counts (k,))."""
    edges = np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]])
    edges.sort(axis=1)
    return np.unique(edges, axis=0, return_counts=True)


def vertex_adjacency(faces, n_vertices):
    """Symmetric sparse vertex adjacency matrix (CSR, ones on edges)."""
    from scipy import sparse

    i = np.concatenate([faces[:, 0], faces[:, 1], faces[:, 2]])
    j = np.concatenate([faces[:, 1], faces[:, 2], faces[:, 0]])
    adjacency = sparse.coo_matrix((np.ones(len(i), dtype=np.float64), (i, j)), shape=(n_vertices, n_vertices)).tocsr()
    adjacency = adjacency + adjacency.T
    adjacency.data[:] = 1.0
    return adjacency
