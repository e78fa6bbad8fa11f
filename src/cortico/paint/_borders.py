"""Per-vertex data that lets the fragment shader draw region borders inside triangles.

A colour chosen per vertex (or per triangle) makes a border follow triangle edges:
a saw-tooth line. Instead every region gets one of at most :data:`MAX_CLASSES`
"border classes" such that regions meeting near any vertex get
different classes (within two edges, the reach of the smoothing). Each vertex carries

* ``weights``: its class as a one-hot vector smoothed over its 2-ring, then
  raised so that its own class still wins at the vertex (interpolated across
  triangles), and
* ``slots``: for each class, the region of that class within two edges
  (``ABSENT`` when none), passed ``flat`` from the provoking vertex, whose
  1-ring contains the whole triangle.

Per fragment the class with the largest interpolated weight wins and ``slots``
names its region: the border becomes the level curve where two weights are
equal, which crosses triangles smoothly instead of following their edges, and
its width in pixels (``fwidth``) gives analytic anti-aliasing.
"""

import numpy as np

from cortico.atlases._geometry import vertex_adjacency

__all__ = ["MAX_CLASSES", "ABSENT", "border_attributes"]

MAX_CLASSES = 8
ABSENT = -2
# Two smoothing steps (own weight against the 1-ring mean) remove the zig-zag of
# triangle-sized steps; the margin keeps each vertex's own region on top.
_SELF_WEIGHT = 0.5
_ITERATIONS = 2
_MARGIN = 4.0 / 255.0


def _region_classes(ring, n_labels):
    """Greedy colouring of the 'meet in one 1-ring' graph (largest degree first)."""
    meets = (ring.T @ ring).tocsr()
    meets.setdiag(0)
    meets.eliminate_zeros()
    degree = np.diff(meets.indptr)
    classes = np.full(n_labels, -1, dtype=np.int64)
    for label in np.argsort(-degree, kind="stable"):
        used = set(classes[meets.indices[meets.indptr[label] : meets.indptr[label + 1]]].tolist())
        classes[label] = next(c for c in range(n_labels + 1) if c not in used)
    return classes


def border_attributes(labels, faces):
    """Smoothed class weights and per-class region slots of every vertex.

    Parameters
    ----------
    labels : ndarray of int, shape (n,)
        Region per vertex (-1 = medial wall, any value >= -1).
    faces : ndarray, shape (m, 3)

    Returns
    -------
    weights : ndarray, shape (n, MAX_CLASSES), uint8
        Smoothed one-hot class weights scaled to 0..255.
    slots : ndarray, shape (n, MAX_CLASSES), int16
        Region of each class within two edges of the vertex, or :data:`ABSENT`.
        ``None`` for both when the regions need more than :data:`MAX_CLASSES`
        classes (the caller falls back to one region per vertex).
    """
    from scipy import sparse

    labels = np.asarray(labels, dtype=np.int64)
    n = len(labels)
    values, compact = np.unique(labels, return_inverse=True)
    onehot_labels = sparse.csr_matrix((np.ones(n), (np.arange(n), compact)), shape=(n, len(values)))
    adjacency = vertex_adjacency(np.asarray(faces), n)
    closed = adjacency + sparse.identity(n, format="csr")
    ring = (closed @ (closed @ onehot_labels)).tocsr()  # regions within two edges
    ring.data[:] = 1.0
    classes = _region_classes(ring, len(values))
    if classes.max() >= MAX_CLASSES:
        return None, None
    own = np.zeros((n, MAX_CLASSES), dtype=np.float64)
    own[np.arange(n), classes[compact]] = 1.0
    degree = np.maximum(np.asarray(adjacency.sum(axis=1)).ravel(), 1.0)[:, None]
    smooth = own
    for _ in range(_ITERATIONS):
        smooth = _SELF_WEIGHT * smooth + (1.0 - _SELF_WEIGHT) * (adjacency @ smooth) / degree
    # every vertex keeps its own region: the border still separates the same
    # vertices, it only crosses their edges where the smoothed weights say
    mine = smooth[np.arange(n), classes[compact]]
    others = smooth.copy()
    others[np.arange(n), classes[compact]] = 0.0
    smooth[np.arange(n), classes[compact]] = np.maximum(mine, others.max(axis=1) + _MARGIN)
    weights = np.rint(np.clip(smooth, 0.0, 1.0) * 255.0).astype(np.uint8)
    slots = np.full((n, MAX_CLASSES), ABSENT, dtype=np.int16)
    rows, columns = ring.nonzero()
    slots[rows, classes[columns]] = values[columns]
    return weights, slots
