"""Data model of an atlas: meshes, regions and the atlas itself."""

from dataclasses import dataclass, field

import numpy as np

from cortico.atlases._geometry import vertex_normals
from cortico.atlases._names import HEMIS, REGION_KINDS, SURFACE_KINDS
from cortico.exceptions import InputError, NotFoundError

__all__ = ["HEMIS", "REGION_KINDS", "SURFACE_KINDS", "Atlas", "AtlasInfo", "Mesh", "Region"]


def _frozen(array, dtype, name, width):
    array = np.ascontiguousarray(array, dtype=dtype)
    if array.ndim != 2 or array.shape[1] != width:
        raise InputError(f"Mesh {name} must have shape (n, {width}), got {array.shape}.")
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Mesh:
    """A triangle mesh with outward unit vertex normals.

    Arrays are read-only, so one mesh can be shared safely between callers.

    Attributes
    ----------
    vertices : ndarray, shape (n, 3), float32
        Coordinates in mm (fsaverage surface RAS for bundled atlases).
    faces : ndarray, shape (m, 3), int32
        Vertex indices, counter-clockwise seen from outside.
    normals : ndarray, shape (n, 3), float32
        Unit outward vertex normals.
    """

    vertices: np.ndarray
    faces: np.ndarray
    normals: np.ndarray

    def __post_init__(self):
        object.__setattr__(self, "vertices", _frozen(self.vertices, np.float32, "vertices", 3))
        object.__setattr__(self, "faces", _frozen(self.faces, np.int32, "faces", 3))
        object.__setattr__(self, "normals", _frozen(self.normals, np.float32, "normals", 3))
        if len(self.normals) != len(self.vertices):
            raise InputError(f"Mesh has {len(self.vertices)} vertices but {len(self.normals)} normals.")
        if self.faces.size and (self.faces.min() < 0 or self.faces.max() >= len(self.vertices)):
            raise InputError(f"Mesh faces refer to vertices outside 0..{len(self.vertices) - 1}.")

    @classmethod
    def from_arrays(cls, vertices, faces) -> "Mesh":
        """Build a mesh, computing area-weighted vertex normals."""
        vertices = _frozen(vertices, np.float32, "vertices", 3)
        faces = _frozen(faces, np.int32, "faces", 3)
        if faces.size and (faces.min() < 0 or faces.max() >= len(vertices)):
            raise InputError(f"Mesh faces refer to vertices outside 0..{len(vertices) - 1}.")
        return cls(vertices, faces, vertex_normals(vertices, faces))

    @property
    def n_vertices(self) -> int:
        """Number of vertices."""
        return len(self.vertices)

    @property
    def n_faces(self) -> int:
        """Number of triangles."""
        return len(self.faces)


@dataclass(frozen=True)
class Region:
    """One named region of an atlas.

    Attributes
    ----------
    name : str
        Canonical name without hemisphere, e.g. ``"superiorfrontal"``, ``"Hippocampus"``.
    hemi : {"lh", "rh", None}
        Hemisphere; None for midline structures (brain stem, 3rd/4th ventricle).
    kind : {"cortical", "subcortical"}
        Cortical regions are vertex sets on the surfaces; subcortical ones are closed meshes.
    color : tuple of float
        (r, g, b) in 0..1, the atlas' own colour (FreeSurfer's for bundled atlases).
    index : int
        Position in ``Atlas.regions``.
    key : str
        Unique key, ``"<hemi>.<name>"`` or ``name`` for midline structures.
    label_id : int
        The region's id in its source file (annotation value, volume label), -1 if none.
    """

    name: str
    hemi: str | None
    kind: str
    color: tuple
    index: int
    key: str = ""
    label_id: int = -1

    def __post_init__(self):
        if self.hemi not in (*HEMIS, None):
            raise InputError(f"Region {self.name!r}: hemi must be 'lh', 'rh' or None.")
        if self.kind not in REGION_KINDS:
            raise InputError(f"Region {self.name!r}: kind must be one of {REGION_KINDS}.")
        object.__setattr__(self, "color", tuple(float(c) for c in self.color))
        if not self.key:
            object.__setattr__(self, "key", region_key(self.name, self.hemi))


def region_key(name, hemi):
    """The unique key of a region: ``"lh.name"``, or ``name`` without hemisphere."""
    return f"{hemi}.{name}" if hemi else name


@dataclass(frozen=True)
class AtlasInfo:
    """Summary of an atlas for listings.

    ``source`` names the files and wheels, ``space`` the template the regions live on,
    ``licence`` the data's licence; ``cortical_regions`` is per hemisphere (left, right)
    and ``subcortical_regions`` counts all closed-mesh structures.
    """

    name: str
    title: str
    aliases: tuple = ()
    description: str = ""
    source: str = ""
    space: str = "fsaverage"
    licence: str = ""
    cortical_regions: tuple = (0, 0)
    subcortical_regions: int = 0


class _Lazy:
    """A value computed on first access (a loader callable, or the value itself)."""

    def __init__(self, source):
        self._source = source
        self._value = None
        self._loaded = False

    def get(self):
        if not self._loaded:
            self._value = self._source() if callable(self._source) else self._source
            self._loaded = True
        return self._value


@dataclass(eq=False)
class Atlas:
    """Named regions with their geometry, usable for painting.

    Build atlases with :func:`load_atlas`, :func:`import_surface_atlas` or
    :func:`import_volume_atlas` rather than directly.

    Parameters
    ----------
    name : str
        Identifier (``"dk"``, or the name given at import).
    title : str
        Human-readable title.
    regions : list of Region
        Every region; ``regions[i].index == i``.
    surfaces : dict
        ``(kind, hemi) -> Mesh`` or a callable returning it.
    vertex_labels : dict
        ``hemi -> int32 array`` (index into ``regions`` or -1) or a callable returning it.
    region_meshes : dict
        ``region key -> Mesh`` or callable, for subcortical regions.
    space : str
        Coordinate space of all meshes (``"fsaverage"`` for bundled atlases).
    description : str
        Provenance in one or two sentences.
    groups : dict
        ``group name -> region names``: a CSV column named after a group paints all
        of its regions (BrainPainter's coarse mouse areas on the 32 Allen areas).
    template : str
        The bundled template mesh whose surfaces the atlas uses (``"fsaverage"``...),
        or ``""`` when its surfaces are its own; a store keeps only the mesh's name.
    """

    name: str
    title: str
    regions: list
    surfaces: dict = field(default_factory=dict, repr=False)
    vertex_labels: dict = field(default_factory=dict, repr=False)
    region_meshes: dict = field(default_factory=dict, repr=False)
    space: str = "fsaverage"
    description: str = ""
    groups: dict = field(default_factory=dict, repr=False)
    template: str = ""

    def __post_init__(self):
        self.regions = list(self.regions)
        for position, region in enumerate(self.regions):
            if region.index != position:
                raise InputError(f"Region {region.key!r} has index {region.index}, expected {position}.")
        self._by_key = {region.key: region for region in self.regions}
        if len(self._by_key) != len(self.regions):
            raise InputError(f"Atlas {self.name!r} has duplicate region keys.")
        self.surfaces = {key: _Lazy(value) for key, value in self.surfaces.items()}
        self.vertex_labels = {key: _Lazy(value) for key, value in self.vertex_labels.items()}
        self.region_meshes = {key: _Lazy(value) for key, value in self.region_meshes.items()}

    def __repr__(self):
        return f"Atlas(name={self.name!r}, regions={len(self.regions)}, space={self.space!r})"

    @property
    def hemis(self) -> tuple[str, ...]:
        """Hemispheres that have surfaces, in ("lh", "rh") order."""
        present = {hemi for _, hemi in self.surfaces}
        return tuple(hemi for hemi in HEMIS if hemi in present)

    @property
    def surface_kinds(self) -> tuple[str, ...]:
        """Surface kinds available, in ``SURFACE_KINDS`` order then others."""
        present = {kind for kind, _ in self.surfaces}
        ordered = [kind for kind in SURFACE_KINDS if kind in present]
        return tuple(ordered + sorted(present - set(ordered)))

    def region(self, key) -> Region:
        """The region with this key (``"lh.superiorfrontal"``, ``"Brain-Stem"``)."""
        try:
            return self._by_key[key]
        except KeyError:
            raise NotFoundError(f"Atlas {self.name!r} has no region {key!r}.") from None

    def regions_of(self, kind=None, hemi="any") -> list[Region]:
        """Regions filtered by kind and/or hemisphere (``hemi=None`` selects midline)."""
        return [
            region
            for region in self.regions
            if (kind is None or region.kind == kind) and (hemi == "any" or region.hemi == hemi)
        ]

    def surface(self, kind, hemi) -> Mesh:
        """The surface mesh of one hemisphere.

        Parameters
        ----------
        kind : {"pial", "white", "inflated", "midthickness"}
        hemi : {"lh", "rh"}

        Returns
        -------
        Mesh
        """
        try:
            lazy = self.surfaces[(kind, hemi)]
        except KeyError:
            raise NotFoundError(
                f"Atlas {self.name!r} has no {kind!r} surface for hemisphere {hemi!r}; "
                f"available kinds {list(self.surface_kinds)}, hemispheres {list(self.hemis)}."
            ) from None
        return lazy.get()

    def vertex_regions(self, hemi) -> np.ndarray:
        """Per-vertex region index (into ``regions``) of one hemisphere, -1 = medial wall.

        Returns
        -------
        ndarray of int32, read-only
        """
        try:
            lazy = self.vertex_labels[hemi]
        except KeyError:
            raise NotFoundError(f"Atlas {self.name!r} has no cortical labels for hemisphere {hemi!r}.") from None
        return lazy.get()

    def vertex_mask(self, region) -> np.ndarray:
        """Boolean mask of a cortical region's vertices on its hemisphere's surfaces."""
        region = region if isinstance(region, Region) else self.region(str(region))
        if region.kind != "cortical" or region.hemi is None:
            raise NotFoundError(f"Region {region.key!r} is not a cortical region on a surface.")
        return self.vertex_regions(region.hemi) == region.index

    def subcortical_mesh(self, region) -> Mesh:
        """Closed mesh of a subcortical region (a Region or its key)."""
        key = region.key if isinstance(region, Region) else str(region)
        try:
            lazy = self.region_meshes[key]
        except KeyError:
            raise NotFoundError(f"Atlas {self.name!r} has no mesh for region {key!r}.") from None
        return lazy.get()

    def resolve(self, column_names):
        """Map CSV column names to regions; see :func:`cortico.atlases.resolve_names`."""
        from cortico.atlases._resolve import resolve_names

        return resolve_names(self, column_names)
