"""The registry of bundled atlases (fsaverage, FreeSurfer 7.3.2) and ``load_atlas``."""

import re
from dataclasses import dataclass

import numpy as np

from cortico.atlases._model import Atlas, AtlasInfo, Region
from cortico.atlases._names import HEMIS, SURFACE_KINDS
from cortico.exceptions import NotFoundError


@dataclass(frozen=True)
class _Spec:
    info: AtlasInfo
    cortical: str | None  # "annot:<name>" or "dkt"
    subcortical: bool


_SPECS = (
    _Spec(
        AtlasInfo(
            "dk",
            "Desikan-Killiany (34 cortical regions/hemisphere) + aseg subcortical",
            ("desikan-killiany", "desikan", "aparc", "desikankilliany"),
            "fsaverage lh/rh.aparc.annot and mri/aseg.mgz, FreeSurfer 7.3.2.",
        ),
        "annot:aparc",
        True,
    ),
    _Spec(
        AtlasInfo(
            "destrieux",
            "Destrieux (74 cortical regions/hemisphere) + aseg subcortical",
            ("a2009s", "aparc.a2009s", "destrieux2009"),
            "fsaverage lh/rh.aparc.a2009s.annot and mri/aseg.mgz, FreeSurfer 7.3.2.",
        ),
        "annot:aparc.a2009s",
        True,
    ),
    _Spec(
        AtlasInfo(
            "dkt",
            "Desikan-Killiany-Tourville (31 cortical regions/hemisphere) + aseg subcortical",
            ("tourville", "dkt40", "dkt31", "desikan-killiany-tourville", "aparc.dktatlas"),
            "Derived from FreeSurfer's DKT classifier priors (average/?h.DKTaparc.atlas"
            ".acfb40.noaparc.i12.2016-08-02.gcs) on fsaverage, plus mri/aseg.mgz.",
        ),
        "dkt",
        True,
    ),
    _Spec(
        AtlasInfo(
            "aseg",
            "FreeSurfer aseg subcortical structures",
            ("subcortical", "aseg.mgz"),
            "fsaverage mri/aseg.mgz, FreeSurfer 7.3.2: 12 structures/hemisphere, brain stem, 3rd and 4th ventricle.",
        ),
        None,
        True,
    ),
)


def _normalise(name):
    return re.sub(r"[\s_\-.]+", "-", str(name).strip().lower())


_BY_NAME = {}
for _spec in _SPECS:
    for _alias in (_spec.info.name, *_spec.info.aliases):
        _BY_NAME[_normalise(_alias)] = _spec


def list_atlases() -> list[AtlasInfo]:
    """Bundled atlases, in display order.

    Returns
    -------
    list of AtlasInfo
    """
    return [spec.info for spec in _SPECS]


def _cortical_tables(spec):
    if spec.cortical is None:
        return None
    if spec.cortical == "dkt":
        from cortico.atlases._dkt import dkt_labels

        return dkt_labels()
    from cortico.atlases._fsaverage import annotation_labels  # nibabel: not for list_atlases

    return annotation_labels(spec.cortical.split(":", 1)[1])


def load_atlas(name) -> Atlas:
    """Load a bundled atlas by name.

    Parameters
    ----------
    name : str
        ``"dk"``, ``"destrieux"``, ``"dkt"`` or ``"aseg"``, case-insensitive; long
        names such as ``"Desikan-Killiany"`` and ``"Tourville"`` are accepted.

    Returns
    -------
    Atlas
        fsaverage surfaces (pial, white, inflated, midthickness) for both
        hemispheres, cortical labels, and aseg subcortical meshes. Surfaces and
        meshes load lazily from the on-disk cache.

    Raises
    ------
    NotFoundError
        The name is not a bundled atlas.
    """
    spec = _BY_NAME.get(_normalise(name))
    if spec is None:
        known = ", ".join(f"{s.info.name!r}" for s in _SPECS)
        raise NotFoundError(f"Unknown atlas {name!r}; bundled atlases are {known}.")
    regions: list[Region] = []
    vertex_labels, region_meshes = {}, {}

    tables = _cortical_tables(spec)
    if tables is not None:
        names, colors, ids = tables["names"], tables["colors"], tables["ids"]
        for hemi in HEMIS:
            offset = len(regions)
            for name_, color, label_id in zip(names, colors, ids, strict=True):
                regions.append(Region(str(name_), hemi, "cortical", tuple(color), len(regions), label_id=int(label_id)))
            vertex_labels[hemi] = _offset_loader(tables, hemi, offset)
    else:
        for hemi in HEMIS:
            vertex_labels[hemi] = _medial_only

    if spec.subcortical:
        from cortico.atlases._aseg import aseg_structures, mesh_loader

        for structure in aseg_structures():
            region = Region(
                structure.name,
                structure.hemi,
                "subcortical",
                structure.color,
                len(regions),
                label_id=structure.label_id,
            )
            regions.append(region)
            region_meshes[region.key] = mesh_loader(structure.label_id)

    from cortico.atlases._fsaverage import surface_loader

    surfaces = {(kind, hemi): surface_loader(kind, hemi) for kind in SURFACE_KINDS for hemi in HEMIS}
    return Atlas(
        spec.info.name,
        spec.info.title,
        regions,
        surfaces,
        vertex_labels,
        region_meshes,
        space="fsaverage",
        description=spec.info.description,
    )


def _offset_loader(tables, hemi, offset):
    def load():
        labels = tables[f"{hemi}_labels"]
        shifted = np.where(labels >= 0, labels + offset, -1).astype(np.int32)
        shifted.flags.writeable = False
        return shifted

    return load


def _medial_only():
    from cortico.atlases._fsaverage import N_VERTICES

    labels = np.full(N_VERTICES, -1, dtype=np.int32)
    labels.flags.writeable = False
    return labels
