"""Import of any atlas: a surface + labels, or a label volume + label table."""

from pathlib import Path

import numpy as np
from scipy import ndimage

from cortico.atlases._lut import read_label_table
from cortico.atlases._meshing import mask_to_mesh
from cortico.atlases._model import Atlas, Mesh, Region
from cortico.atlases._names import HEMIS, SURFACE_KINDS
from cortico.atlases._resolve import normalise_name
from cortico.atlases._sources import (
    UNLABELLED_NAMES,
    read_label_volume,
    read_surface,
    read_vertex_labels,
    strip_hemisphere,
)
from cortico.exceptions import InputError, LimitExceededError

MAX_REGIONS = 2000
MAX_VOXELS = 600**3


def _check_name(name):
    name = str(name).strip()
    if not name or len(name) > 100:
        raise InputError("Atlas name must be 1 to 100 characters.")
    return name


def _is_unlabelled(entry):
    return normalise_name(entry.name) in UNLABELLED_NAMES


def _list_ids(ids, limit=10):
    ids = sorted(ids)
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def import_surface_atlas(
    name, surfaces, labels, *, names_table=None, title=None, surface_kind="pial", space="native"
) -> Atlas:
    """Build an atlas from surfaces and per-vertex labels.

    Parameters
    ----------
    name : str
        The atlas' name (1-100 characters).
    surfaces : dict
        ``hemi -> path`` of a FreeSurfer geometry or GIFTI surface, ``hemi`` in
        ``"lh"``, ``"rh"``.
    labels : dict
        ``hemi -> path`` of ``.annot``, ``.label.gii``, ``.npy``, ``.mgh`` or text
        (one integer per vertex).
    names_table : str or Path, optional
        CSV ``id,name[,r,g,b]`` or FreeSurfer LUT; needed for number-only label files.
    title : str, optional
    surface_kind : str
        Under which kind the surfaces are stored (``"pial"`` by default).
    space : str
        Name of the coordinate space, for the record.

    Returns
    -------
    Atlas
        Vertices labelled -1, 0 without a table entry, or named ``unknown`` /
        ``Medial_wall`` are unlabelled (-1).

    Raises
    ------
    InputError
        Unreadable files, mismatched vertex counts, non-integer labels, label ids
        missing from the table, no labelled vertex.
    """
    name = _check_name(name)
    if surface_kind not in SURFACE_KINDS:
        raise InputError(f"surface_kind must be one of {SURFACE_KINDS}, got {surface_kind!r}.")
    hemis = [hemi for hemi in HEMIS if hemi in surfaces]
    unknown_keys = (set(surfaces) | set(labels)) - set(HEMIS)
    if unknown_keys or not hemis:
        raise InputError("Give surfaces and labels per hemisphere, keyed 'lh' and/or 'rh'.")
    if set(surfaces) != set(labels):
        raise InputError(f"Surfaces are given for {sorted(surfaces)} but labels for {sorted(labels)}.")
    regions: list[Region] = []
    meshes, vertex_labels = {}, {}
    for hemi in hemis:
        vertices, faces = read_surface(surfaces[hemi])
        surface_file = Path(surfaces[hemi]).name
        vertex_labels[hemi] = _hemisphere_regions(
            labels[hemi], names_table, hemi, len(vertices), f"surface {surface_file}", regions
        )
        meshes[(surface_kind, hemi)] = Mesh.from_arrays(vertices, faces)
    return Atlas(
        name, title or name, regions, meshes, vertex_labels, {}, space=space, description="Imported surface atlas."
    )


def _hemisphere_regions(label_path, names_table, hemi, n_vertices, surface_text, regions):
    """Read one hemisphere's labels, append its regions to ``regions``, return its per-vertex lookup."""
    values, table = read_vertex_labels(label_path, names_table)
    label_file = Path(label_path).name
    if len(values) != n_vertices:
        raise InputError(f"Labels {label_file} have {len(values)} values but {surface_text} has {n_vertices} vertices.")
    present = set(np.unique(values).tolist()) - {-1}
    missing = present - set(table) - {0}
    if missing:
        counts = {i: int(np.sum(values == i)) for i in sorted(missing)[:10]}
        raise InputError(
            f"Labels {label_file}: label ids {_list_ids(missing)} are not in the label table (vertex counts {counts})."
        )
    kept = [i for i in table if i in present and not _is_unlabelled(table[i])]
    if not kept:
        raise InputError(f"Labels {label_file}: no vertex carries a named label.")
    if len(kept) > MAX_REGIONS:
        raise LimitExceededError(f"Labels {label_file} have {len(kept)} labels; the limit is {MAX_REGIONS}.")
    lookup = np.full(len(values), -1, dtype=np.int32)
    for label_id in kept:
        entry = table[label_id]
        _, bare = strip_hemisphere(entry.name)
        region = Region(bare, hemi, "cortical", entry.color, len(regions), label_id=label_id)
        if any(r.key == region.key for r in regions):
            raise InputError(f"Labels {label_file}: the name {entry.name!r} is used by two label ids.")
        regions.append(region)
        lookup[values == label_id] = region.index
    lookup.flags.writeable = False
    return lookup


def import_template_atlas(name, labels, *, mesh="fsaverage", names_table=None, title=None, progress=None):
    """Build an atlas from per-vertex labels on a bundled template mesh.

    Parameters
    ----------
    name : str
    labels : dict
        ``hemi -> path`` of ``.annot``, ``.label.gii``, ``.npy``, ``.mgh`` or text,
        one value per vertex of ``mesh`` (e.g. ``lh.aparc.annot`` of fsaverage).
    mesh : {"fsaverage", "fsaverage6", "fsaverage5"}
        The template the labels belong to; its pial, white, inflated and
        midthickness surfaces are used (and not copied when the atlas is stored).
    names_table : str or Path, optional
        Needed for number-only label files.
    title : str, optional
    progress : callable, optional
        ``progress(done, total)`` after each hemisphere.

    Returns
    -------
    Atlas
        With ``template == mesh`` and ``space == mesh``.

    Raises
    ------
    InputError
        Unknown mesh, unreadable files, a vertex count other than the mesh's, label
        ids missing from the table, no labelled vertex.
    """
    from cortico.atlases._fsaverage import n_vertices, surface_loader
    from cortico.atlases._fsdata import MESHES

    name = _check_name(name)
    if mesh not in MESHES:
        raise InputError(f"Unknown template mesh {mesh!r}; use one of {', '.join(MESHES)}.")
    hemis = [hemi for hemi in HEMIS if hemi in labels]
    if set(labels) - set(HEMIS) or not hemis:
        raise InputError("Give labels per hemisphere, keyed 'lh' and/or 'rh'.")
    regions, vertex_labels = [], {}
    for done, hemi in enumerate(hemis, start=1):
        vertex_labels[hemi] = _hemisphere_regions(
            labels[hemi], names_table, hemi, n_vertices(mesh), f"the {mesh} mesh", regions
        )
        if progress is not None:
            progress(done, len(hemis))
    surfaces = {(kind, hemi): surface_loader(kind, hemi, mesh) for kind in SURFACE_KINDS for hemi in hemis}
    return Atlas(
        name,
        title or name,
        regions,
        surfaces,
        vertex_labels,
        {},
        space=mesh,
        description=f"Imported labels on the {mesh} template.",
        template=mesh,
    )


def check_volume_atlas(volume, table):
    """Read and check a label volume and its table (the fast part of :func:`import_volume_atlas`).

    Returns
    -------
    data : ndarray of int64
    affine : ndarray (4, 4)
    entries : dict of int -> LabelEntry
    kept : list of int
        The ids that become regions.

    Raises
    ------
    InputError, LimitExceededError
        As :func:`import_volume_atlas`.
    """
    data, affine = read_label_volume(volume, max_voxels=MAX_VOXELS)
    volume_file = Path(volume).name
    if data.size > MAX_VOXELS:
        raise LimitExceededError(f"Volume {volume_file} has {data.size} voxels; the limit is {MAX_VOXELS}.")
    entries = read_label_table(table)
    present = set(np.unique(data).tolist()) - {0}
    if not present:
        raise InputError(f"Volume {volume_file} contains no labelled voxel (all zero).")
    missing = present - set(entries)
    if missing:
        raise InputError(f"Volume {volume_file}: label ids {_list_ids(missing)} are not in the label table.")
    kept = [i for i in entries if i in present and not _is_unlabelled(entries[i])]
    if len(kept) > MAX_REGIONS:
        raise LimitExceededError(f"Volume {volume_file} has {len(kept)} labels; the limit is {MAX_REGIONS}.")
    return data, affine, entries, kept


def import_volume_atlas(
    name, volume, table, *, title=None, space="native", smoothing_iterations=20, decimation=0.75, progress=None
) -> Atlas:
    """Build an atlas of closed region meshes from a label volume and a label table.

    Parameters
    ----------
    name : str
    volume : str or Path
        NIfTI (``.nii``, ``.nii.gz``), MGZ/MGH or NRRD label volume; 0 is background.
    table : str or Path
        CSV ``id,name[,r,g,b]`` or FreeSurfer LUT. Names with ``Left-``/``lh_``/``_R``
        style markers become hemisphere regions.
    title : str, optional
    space : str
        Name of the volume's world space, for the record.
    smoothing_iterations : int
        Taubin iterations per mesh.
    decimation : float
        Fraction of the marching-cubes faces removed (where the mesh stays closed).
    progress : callable, optional
        Called as ``progress(done, total)`` after each region.

    Returns
    -------
    Atlas
        One "subcortical" (closed mesh) region per label id of the table that
        occurs in the volume, meshes in the volume's world coordinates (mm).
        Table entries absent from the volume are skipped.

    Raises
    ------
    InputError
        Unreadable files, non-integer labels, ids missing from the table, an
        empty volume, two ids with the same name.
    LimitExceededError
        More than ``MAX_REGIONS`` labels or ``MAX_VOXELS`` voxels.
    """
    name = _check_name(name)
    data, affine, entries, kept = check_volume_atlas(volume, table)
    # compact codes 1..k (ids can be huge, e.g. Allen CCF) and one bounding box per label,
    # so each region is meshed from its own box rather than the whole volume
    ids, codes = np.unique(data, return_inverse=True)
    codes = codes.reshape(data.shape).astype(np.int32)
    boxes = ndimage.find_objects(codes + (1 if ids[0] != 0 else 0))
    code_of = {int(value): code for code, value in enumerate(ids.tolist())}
    regions: list[Region] = []
    meshes = {}
    for done, label_id in enumerate(kept, start=1):
        entry = entries[label_id]
        hemi, bare = strip_hemisphere(entry.name)
        region = Region(bare, hemi, "subcortical", entry.color, len(regions), label_id=label_id)
        if region.key in meshes:
            raise InputError(f"Label table: the name {entry.name!r} (id {label_id}) repeats another label's name.")
        code = code_of[label_id]
        box = boxes[code - 1 if ids[0] == 0 else code]
        shift = np.eye(4)
        shift[:3, 3] = [s.start for s in box]
        meshes[region.key] = mask_to_mesh(
            codes[box] == code,
            affine @ shift,
            smoothing_iterations=smoothing_iterations,
            decimation=decimation,
            min_component_fraction=0.0,
        )
        regions.append(region)
        if progress is not None:
            progress(done, len(kept))
    return Atlas(name, title or name, regions, {}, {}, meshes, space=space, description="Imported label volume.")
