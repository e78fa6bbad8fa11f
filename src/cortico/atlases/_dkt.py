"""DKT (Desikan-Killiany-Tourville) on fsaverage, from FreeSurfer's DKT classifier priors.

No package ships a DKT annotation on a surface. FreeSurfer's DKT classifier
(``average/?h.DKTaparc.atlas.acfb40.noaparc.i12.2016-08-02.gcs``) stores label
priors on the ico7 nodes, which are fsaverage's vertices in the same order. We take
each vertex's most likely prior label, keep the largest connected piece of every
label and give the other pieces to their most common neighbouring label. The
prior term alone is what this uses; FreeSurfer's labeller adds a curvature
likelihood and an MRF step. See docs/atlases.md for the measured calibration.
"""

import nibabel.freesurfer as nifs
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from cortico.atlases._cache import cached_arrays
from cortico.atlases._fsaverage import MEDIAL_WALL_NAMES
from cortico.atlases._fsdata import data_file, fsaverage_file
from cortico.atlases._gcsa import read_gcsa_priors
from cortico.atlases._geometry import vertex_adjacency
from cortico.atlases._names import HEMIS

DKT_CLASSIFIER = "average/{hemi}.DKTaparc.atlas.acfb40.noaparc.i12.2016-08-02.gcs"
DK_CLASSIFIER = "average/{hemi}.DKaparc.atlas.acfb40.noaparc.i12.2016-08-02.gcs"


def clean_parcellation(labels, adjacency):
    """Keep the largest connected piece of each label; refill the rest from neighbours.

    Parameters
    ----------
    labels : ndarray of int, shape (n,)
        Any integers (-1 included: it is treated as a label like the others).
    adjacency : sparse matrix, shape (n, n)

    Returns
    -------
    ndarray of int, shape (n,)
        Every label value forms one connected piece.
    """
    labels = np.asarray(labels).copy()
    values, codes = np.unique(labels, return_inverse=True)
    unassigned = np.zeros(len(labels), dtype=bool)
    adjacency = sparse.csr_matrix(adjacency)
    for code in range(len(values)):
        members = np.flatnonzero(codes == code)
        count, pieces = connected_components(adjacency[members][:, members], directed=False)
        if count > 1:
            largest = np.argmax(np.bincount(pieces))
            unassigned[members[pieces != largest]] = True
    codes = codes.astype(np.int64)
    while unassigned.any():
        rows = np.flatnonzero(unassigned)
        assigned_codes = np.where(unassigned, len(values), codes)
        onehot = sparse.csr_matrix(
            (np.ones(len(codes)), (np.arange(len(codes)), assigned_codes)),
            shape=(len(codes), len(values) + 1),
        )
        votes = (adjacency[rows] @ onehot).toarray()[:, :-1]
        has_vote = votes.max(axis=1) > 0
        if not has_vote.any():
            break  # isolated vertices: nothing to borrow from
        codes[rows[has_vote]] = votes[has_vote].argmax(axis=1)
        unassigned[rows[has_vote]] = False
    return values[codes]


def prior_parcellation(classifier, hemi):
    """Most-likely-prior labelling of fsaverage by a shipped GCSA classifier, cleaned.

    Returns
    -------
    names : list of str
        Per vertex region name, ``""`` on the medial wall.
    colortable : dict
        Annotation value -> (name, rgb 0..255).
    """
    priors = read_gcsa_priors(data_file(classifier.format(hemi=hemi)))
    _, faces = nifs.read_geometry(str(fsaverage_file(f"surf/{hemi}.white")))
    table = priors.colortable
    values = priors.labels.copy()
    medial = np.array([value not in table or table[value][0].lower() in MEDIAL_WALL_NAMES for value in values])
    values[medial] = -1
    values = clean_parcellation(values, vertex_adjacency(faces, len(values)))
    names = np.array([table[v][0] if v >= 0 else "" for v in values.tolist()], dtype=object)
    return names, table


def _build():
    per_hemi, colortable = {}, None
    for hemi in HEMIS:
        per_hemi[hemi], colortable = prior_parcellation(DKT_CLASSIFIER, hemi)
    present = set(per_hemi["lh"]) | set(per_hemi["rh"])
    entries = [(value, name, rgb) for value, (name, rgb) in colortable.items() if name in present]
    order = [name for _, name, _ in entries]
    index = {name: i for i, name in enumerate(order)}
    arrays = {
        "names": np.array(order),
        "colors": np.array([rgb for _, _, rgb in entries], dtype=np.float64) / 255.0,
        "ids": np.array([value for value, _, _ in entries], dtype=np.int64),
    }
    for hemi in HEMIS:
        arrays[f"{hemi}_labels"] = np.array([index.get(name, -1) for name in per_hemi[hemi]], dtype=np.int32)
    return arrays


def dkt_labels():
    """Cached DKT tables, in the layout of ``annotation_labels``."""
    return cached_arrays("dkt-from-gcs", _build)
