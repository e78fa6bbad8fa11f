"""Label mapping: which segmentation labels are cortex, white matter and outside."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cortico.exceptions import InputError

#: Tissue classes of the classified volume used by the engine.
OUTSIDE, CORTEX, WHITE = 0, 1, 2


def _as_label_tuple(values, name):
    if values is None:
        return None
    if isinstance(values, (int, np.integer)):
        values = [values]
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise InputError(f"labels for {name!r} must be a list of integers, got {values!r}")
    result = []
    for value in values:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            if isinstance(value, (float, np.floating)) and float(value).is_integer():
                value = int(value)
            else:
                raise InputError(f"label {value!r} for {name!r} is not an integer; labels must be whole numbers")
        result.append(int(value))
    return tuple(sorted(set(result)))


@dataclass(frozen=True)
class LabelMapping:
    """Which label values of a segmentation mean cortex, white matter and outside.

    Parameters
    ----------
    cortex : tuple of int
        Labels of cortical grey matter.
    white : tuple of int
        Labels of white matter.
    outside : tuple of int or None
        Labels of everything else (CSF, background). ``None`` means every label that
        is neither cortex nor white is outside. A tuple makes the mapping *strict*:
        any label not listed in one of the three classes is an error.
    """

    cortex: tuple[int, ...]
    white: tuple[int, ...]
    outside: tuple[int, ...] | None = None

    def __post_init__(self):
        cortex = _as_label_tuple(self.cortex, "cortex")
        white = _as_label_tuple(self.white, "white")
        outside = _as_label_tuple(self.outside, "outside")
        object.__setattr__(self, "cortex", cortex)
        object.__setattr__(self, "white", white)
        object.__setattr__(self, "outside", outside)
        if not cortex:
            raise InputError("the label mapping lists no cortex label")
        if not white:
            raise InputError("the label mapping lists no white-matter label")
        classes = {"cortex": cortex, "white": white, "outside": outside or ()}
        names = list(classes)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                shared = sorted(set(classes[first]) & set(classes[second]))
                if shared:
                    raise InputError(f"labels {shared} are listed as both {first} and {second} in the label mapping")

    @classmethod
    def coerce(cls, mapping) -> LabelMapping:
        """Return a :class:`LabelMapping` from ``None``, a mapping or a dict.

        Parameters
        ----------
        mapping : LabelMapping, dict or None
            ``None`` gives :data:`DEFAULT_LABELS` (0/100/200, strict). A dict has keys
            ``"cortex"``, ``"white"`` and optionally ``"outside"``.

        Returns
        -------
        LabelMapping
        """
        if mapping is None:
            return DEFAULT_LABELS
        if isinstance(mapping, cls):
            return mapping
        if not isinstance(mapping, dict):
            raise InputError(
                "the label mapping must be a dict with keys 'cortex', 'white' and "
                f"optionally 'outside', got {type(mapping).__name__}"
            )
        unknown = sorted(set(mapping) - {"cortex", "white", "outside"})
        if unknown:
            raise InputError(
                f"unknown keys {unknown} in the label mapping; expected 'cortex', 'white' and optionally 'outside'"
            )
        missing = [key for key in ("cortex", "white") if key not in mapping]
        if missing:
            raise InputError(f"the label mapping lacks the key(s) {missing}")
        return cls(mapping["cortex"], mapping["white"], mapping.get("outside"))

    def classify(self, labels: np.ndarray) -> np.ndarray:
        """Map a label volume to tissue classes.

        Parameters
        ----------
        labels : ndarray of int
            Integer label volume (validated by the caller).

        Returns
        -------
        ndarray of uint8
            :data:`OUTSIDE` (0), :data:`CORTEX` (1) or :data:`WHITE` (2) per voxel.

        Raises
        ------
        InputError
            When the mapping is strict and the volume holds labels it does not list.
        """
        flat = _flat_in_memory_order(labels)
        lookup, offset = _label_lookup(flat, self)
        if lookup is not None:
            flat_classes = np.empty(flat.shape, dtype=np.uint8)
            counts = np.zeros(lookup.size, dtype=np.int64)
            for start in range(0, flat.size, _CHUNK):
                index = np.subtract(flat[start : start + _CHUNK], offset, dtype=np.int32)
                counts += np.bincount(index, minlength=lookup.size)
                flat_classes[start : start + _CHUNK] = lookup[index]
            present = np.flatnonzero(counts) + offset
        else:
            present = np.unique(flat)
            flat_classes = None
        if self.outside is not None:
            known = set(self.cortex) | set(self.white) | set(self.outside)
            unexpected = [int(v) for v in present if int(v) not in known]
            if unexpected:
                shown = unexpected[:20]
                more = f" and {len(unexpected) - 20} more" if len(unexpected) > 20 else ""
                raise InputError(
                    f"the segmentation contains labels {shown}{more} that the label "
                    f"mapping does not know; expected only cortex {list(self.cortex)}, "
                    f"white {list(self.white)} and outside {list(self.outside)} "
                    "(give a label mapping to use other labels)",
                    problems=[f"unexpected label {v}" for v in unexpected],
                )
        if flat_classes is None:
            flat_classes = np.zeros(flat.shape, dtype=np.uint8)
            flat_classes[np.isin(flat, self.cortex)] = CORTEX
            flat_classes[np.isin(flat, self.white)] = WHITE
        order = "F" if labels.flags.f_contiguous and not labels.flags.c_contiguous else "C"
        return flat_classes.reshape(labels.shape, order=order)


#: Largest label range classified through a lookup table (larger ranges use np.unique).
_LOOKUP_MAX_RANGE = 1 << 20

#: Voxels classified per step (bounds the temporary index array to 64 MB).
_CHUNK = 1 << 24


def _flat_in_memory_order(labels):
    """A 1-D view of ``labels`` in its memory order (C or Fortran), copying only other layouts.

    Reading a Fortran-ordered NIfTI array in C order strides through memory, which
    made classification ~10x slower on every NIfTI input.
    """
    if labels.flags.f_contiguous and not labels.flags.c_contiguous:
        return labels.ravel(order="F")
    return np.ascontiguousarray(labels).reshape(-1)


def _label_lookup(flat, mapping):
    """A class per label value (table, offset) when the labels span a small range, else (None, 0)."""
    if flat.size == 0 or not np.issubdtype(flat.dtype, np.integer):
        return None, 0
    low, high = int(flat.min()), int(flat.max())
    if high - low >= _LOOKUP_MAX_RANGE:
        return None, 0
    table = np.zeros(high - low + 1, dtype=np.uint8)
    for values, tissue in ((mapping.cortex, CORTEX), (mapping.white, WHITE)):
        for value in values:
            if low <= value <= high:
                table[value - low] = tissue
    return table, low


#: The cortical-voluba convention: 0 outside/CSF, 100 cortex, 200 white matter.
DEFAULT_LABELS = LabelMapping(cortex=(100,), white=(200,), outside=(0,))

#: FreeSurfer ``ribbon.mgz``: 3/42 cortex, 2/41 white matter, everything else outside.
FREESURFER_RIBBON_LABELS = LabelMapping(cortex=(3, 42), white=(2, 41))


def validate_label_volume(labels) -> np.ndarray:
    """Check that ``labels`` is a 3D volume of whole numbers and return it as integers.

    Parameters
    ----------
    labels : array_like
        The segmentation; a trailing axis of length 1 is dropped.

    Returns
    -------
    ndarray of int32 or int64

    Raises
    ------
    InputError
        For data that is not 3D, is empty, or holds non-integer or non-finite values.
    """
    labels = np.asanyarray(labels)
    while labels.ndim > 3 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.ndim != 3:
        raise InputError(
            f"the segmentation must be a 3D label volume, got {labels.ndim}D data of shape {tuple(labels.shape)}"
        )
    if labels.size == 0:
        raise InputError(f"the segmentation is empty (shape {tuple(labels.shape)})")
    if labels.dtype == np.bool_:
        raise InputError("the segmentation is a boolean mask; expected integer labels")
    if np.issubdtype(labels.dtype, np.integer):
        return labels
    if not np.issubdtype(labels.dtype, np.floating):
        raise InputError(f"the segmentation has data type {labels.dtype}; expected integer labels")
    if not np.all(np.isfinite(labels)):
        raise InputError("the segmentation contains NaN or infinite values; expected integer labels")
    rounded = np.rint(labels)
    bad = rounded != labels
    if np.any(bad):
        examples = np.unique(labels[bad])[:5].tolist()
        raise InputError(
            f"the segmentation holds non-integer values such as {examples}; "
            "expected integer labels (is this an intensity image rather than a segmentation?)"
        )
    return rounded.astype(np.int64)
