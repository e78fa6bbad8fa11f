"""Readers for imported atlas files: surfaces, per-vertex labels, label volumes.

Every reader raises :class:`InputError` naming the file (by its base name) and the
problem; none of them builds a path from user text.
"""

import re
from pathlib import Path

import nibabel as nib
import numpy as np

from cortico.atlases._lut import LabelEntry, read_label_table
from cortico.exceptions import InputError, LimitExceededError

_HEMI_PREFIX = re.compile(r"^(?:ctx[-_.\s])?(left|right|lh|rh|l|r)[-_.\s]+(?=\S)", re.IGNORECASE)
_HEMI_SUFFIX = re.compile(r"(?<=\S)[-_.\s]+(left|right|lh|rh|l|r)$", re.IGNORECASE)
_HEMI_WORDS = {"left": "lh", "lh": "lh", "l": "lh", "right": "rh", "rh": "rh", "r": "rh"}
UNLABELLED_NAMES = frozenset(
    {"unknown", "medial-wall", "medialwall", "???", "????", "background", "freesurfer-defined-medial-wall"}
)


def strip_hemisphere(name):
    """Split ``"Left-Visual"``, ``"lh.V1"``, ``"V1_R"`` into (hemi or None, bare name)."""
    name = str(name).strip()
    for pattern in (_HEMI_PREFIX, _HEMI_SUFFIX):
        match = pattern.search(name)
        if match:
            bare = (name[match.end() :] if pattern is _HEMI_PREFIX else name[: match.start()]).strip()
            if bare:
                return _HEMI_WORDS[match.group(1).lower()], bare
    return None, name


def _require_file(path, what):
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} {path.name}: file not found.")
    return path


def _is_gifti(path):
    return path.name.lower().endswith(".gii")


def read_surface(path):
    """Read a FreeSurfer geometry or GIFTI surface: (vertices (n, 3), faces (m, 3))."""
    path = _require_file(path, "Surface")
    try:
        if _is_gifti(path):
            image = nib.load(str(path))
            points = image.agg_data("NIFTI_INTENT_POINTSET")
            triangles = image.agg_data("NIFTI_INTENT_TRIANGLE")
            if points is None or triangles is None or isinstance(points, tuple):
                raise ValueError("needs exactly one point set and one triangle array")
            vertices, faces = points, triangles
        else:
            vertices, faces = nib.freesurfer.read_geometry(str(path))
    except InputError:
        raise
    except Exception as exc:  # nibabel raises many types for a malformed file
        raise InputError(f"Surface {path.name}: cannot read as FreeSurfer geometry or GIFTI ({exc}).") from None
    vertices = np.asarray(vertices, dtype=np.float64)
    faces = np.asarray(faces)
    if vertices.ndim != 2 or vertices.shape[1] != 3 or faces.ndim != 2 or faces.shape[1] != 3:
        raise InputError(f"Surface {path.name}: expected (n, 3) vertices and (m, 3) triangles.")
    if not len(faces) or faces.min() < 0 or faces.max() >= len(vertices):
        raise InputError(f"Surface {path.name}: triangles refer to missing vertices.")
    if not np.isfinite(vertices).all():
        raise InputError(f"Surface {path.name}: vertex coordinates are not all finite.")
    return vertices, faces.astype(np.int32)


def _integer_values(values, path, what):
    values = np.asarray(values)
    if values.dtype.kind == "b" or values.dtype.kind not in "iuf":
        raise InputError(f"{what} {path.name}: values must be integer label ids, got {values.dtype}.")
    if values.dtype.kind == "f":
        finite = np.isfinite(values)
        if not finite.all() or not np.array_equal(values, np.round(values)):
            bad = values[~finite | (values != np.round(values))]
            raise InputError(
                f"{what} {path.name}: label ids must be integers; found non-integer values such as {bad[:3].tolist()}."
            )
    return values.astype(np.int64)


def read_vertex_labels(path, table_path=None):
    """Per-vertex labels and their table from ``.annot``, ``.label.gii`` or an array file.

    Parameters
    ----------
    path : str or Path
        ``.annot``, ``.label.gii``/``.gii``, ``.npy``, ``.mgh``/``.mgz`` or a text
        file with one integer per vertex.
    table_path : str or Path, optional
        Label table (CSV or FreeSurfer LUT); required for array files, overrides
        the names of GIFTI files.

    Returns
    -------
    values : ndarray of int64, shape (n,)
    table : dict of int -> LabelEntry
    """
    path = _require_file(path, "Labels")
    lower = path.name.lower()
    table = None
    try:
        if lower.endswith(".annot"):
            values, ctab, names = nib.freesurfer.read_annot(str(path))
            table = {
                i: LabelEntry(i, name.decode("utf-8", "replace"), tuple(ctab[i, :3] / 255.0))
                for i, name in enumerate(names)
            }
        elif _is_gifti(path):
            image = nib.load(str(path))
            if not image.darrays:
                raise InputError(f"Labels {path.name}: the GIFTI file holds no data array.")
            values = image.darrays[0].data
            table = {
                int(label.key): LabelEntry(int(label.key), str(label.label), tuple(label.rgba[:3]))
                for label in image.labeltable.labels
                if label.label is not None and label.rgba[0] is not None
            } or None
        elif lower.endswith(".npy"):
            values = np.load(path, allow_pickle=False)
        elif lower.endswith((".mgh", ".mgz")):
            values = np.asarray(nib.load(str(path)).dataobj)
        else:
            values = np.loadtxt(path, ndmin=1)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"Labels {path.name}: cannot read ({exc}).") from None
    values = np.squeeze(np.asarray(values))
    if values.ndim != 1:
        raise InputError(f"Labels {path.name}: expected one label per vertex, got shape {values.shape}.")
    values = _integer_values(values, path, "Labels")
    if table_path is not None:
        table = read_label_table(table_path)
    if table is None:
        raise InputError(
            f"Labels {path.name}: holds only numbers; give a label table (CSV id,name[,r,g,b] "
            "or FreeSurfer LUT) with the names."
        )
    return values, table


def read_label_volume(path, max_voxels=None):
    """A label volume (NIfTI, MGZ/MGH, or NRRD through antspyx): (int64 data, affine).

    ``max_voxels`` is checked on the header, before the data is decompressed.
    """
    path = _require_file(path, "Volume")
    lower = path.name.lower()
    try:
        if lower.endswith(".nrrd") or lower.endswith(".nhdr"):
            data, affine = _read_nrrd(path)
        else:
            image = nib.load(str(path))
            voxels = int(np.prod(image.shape, dtype=np.int64))
            if max_voxels is not None and voxels > max_voxels:
                raise LimitExceededError(
                    f"Volume {path.name} has {voxels} voxels ({'x'.join(map(str, image.shape))}); "
                    f"the limit is {max_voxels}."
                )
            data, affine = np.asarray(image.dataobj), image.affine
    except (InputError, LimitExceededError):
        raise
    except Exception as exc:
        raise InputError(f"Volume {path.name}: cannot read as NIfTI, MGZ or NRRD ({exc}).") from None
    while data.ndim > 3 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        raise InputError(f"Volume {path.name}: expected a 3-D label volume, got shape {data.shape}.")
    return _integer_values(data, path, "Volume"), np.asarray(affine, dtype=np.float64)


def _read_nrrd(path):
    try:
        import ants
    except ImportError:
        raise InputError(f"Volume {path.name}: reading NRRD needs antspyx.") from None
    image = ants.image_read(str(path))
    direction = np.asarray(image.direction) * np.asarray(image.spacing)
    affine = np.eye(4)
    affine[:3, :3] = direction
    affine[:3, 3] = image.origin
    lps_to_ras = np.diag([-1.0, -1.0, 1.0, 1.0])  # ITK works in LPS
    return image.numpy(), lps_to_ras @ affine
