"""The region-name resolver: CSV column names -> atlas regions.

Tolerates BrainPainter v1 names (no hemisphere: the value goes to both sides),
v2 names (``Left-``/``Right-``), ``lh_``/``rh_``, ``lh.``/``rh.``, ``L_``/``R_``,
``ctx-lh-`` prefixes, ``_left``/``_right``/``_lh``/``_rh``/``_L``/``_R`` suffixes,
case, spaces, underscores vs hyphens vs dots, and a few renamings
(``Thalamus-Proper`` = ``Thalamus``). ``unknown``/``Medial_wall`` name the medial wall.
"""

import difflib
import re
from dataclasses import dataclass, field

from cortico.atlases._names import HEMIS, column_name

_PREFIXES = (
    ("ctx-lh-", "lh"),
    ("ctx-rh-", "rh"),
    ("left-", "lh"),
    ("right-", "rh"),
    ("lh-", "lh"),
    ("rh-", "rh"),
    ("l-", "lh"),
    ("r-", "rh"),
)
_SUFFIXES = (("-left", "lh"), ("-right", "rh"), ("-lh", "lh"), ("-rh", "rh"), ("-l", "lh"), ("-r", "rh"))
_ALIASES = {
    "thalamus-proper": "thalamus",
    "brainstem": "brain-stem",
    "ventral-dc": "ventraldc",
    "third-ventricle": "3rd-ventricle",
    "fourth-ventricle": "4th-ventricle",
    "accumbens": "accumbens-area",
}
_MEDIAL_WALL = frozenset({"unknown", "medial-wall", "medialwall"})


def normalise_name(name) -> str:
    """Lower case, separators (space, ``_``, ``-``, ``.``) collapsed to one ``-``."""
    text = str(name).replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_\-.]+", "-", text).strip("-")


def split_hemisphere(name):
    """Candidate (hemi, normalised name) readings of a name, the literal reading first.

    Returns
    -------
    list of (str or None, str)
    """
    text = normalise_name(name)
    readings = [(None, text)]
    for prefix, hemi in _PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            readings.append((hemi, text[len(prefix) :]))
    for suffix, hemi in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            readings.append((hemi, text[: -len(suffix)]))
    return readings


def _canonical(text):
    return _ALIASES.get(text, text)


@dataclass(frozen=True)
class Resolution:
    """What the columns of a CSV mean for one atlas.

    Attributes
    ----------
    mapping : dict of str -> tuple of Region
        Each resolved column and the regions it paints (two for a v1 name of a
        region present in both hemispheres).
    medial_wall : dict of str -> tuple of str
        Columns naming the medial wall (``unknown``) and the hemispheres they cover.
    unknown : dict of str -> list of str
        Unresolved columns and the closest known names, best first.
    ambiguous : dict of str -> list of str
        Columns that match several different regions, with those regions' keys.
    problems : list of str
        One readable message per unknown, ambiguous or duplicated column.
    missing : tuple of Region
        Regions no column gives a value to.
    """

    mapping: dict
    medial_wall: dict = field(default_factory=dict)
    unknown: dict = field(default_factory=dict)
    ambiguous: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    missing: tuple = ()

    @property
    def ok(self) -> bool:
        """True when every column resolved without conflict."""
        return not self.problems


class _Index:
    def __init__(self, atlas):
        self.atlas = atlas
        self.by_name, self.by_squashed = {}, {}
        for region in atlas.regions:
            text = _canonical(normalise_name(region.name))
            self.by_name.setdefault(text, []).append(region)
            self.by_squashed.setdefault(text.replace("-", ""), []).append(region)
        # named groups of regions (e.g. BrainPainter's coarse mouse areas): one column, several regions
        self.groups = {}
        groups = getattr(atlas, "groups", {})
        if groups:
            by_plain_name = {}
            for region in atlas.regions:
                by_plain_name.setdefault(normalise_name(region.name), []).append(region)
            for group, members in groups.items():
                found = [region for member in members for region in by_plain_name.get(normalise_name(member), [])]
                if found:
                    self.groups[normalise_name(group)] = sorted(found, key=lambda region: region.index)

    def is_group(self, text):
        return text in self.groups and text not in self.by_name

    def lookup(self, hemi, text):
        text = _canonical(text)
        if self.is_group(text):
            return [r for r in self.groups[text] if hemi is None or r.hemi in (hemi, None)]
        # "Superior Frontal" -> "superiorfrontal": separators dropped as a fallback
        regions = self.by_name.get(text) or self.by_squashed.get(text.replace("-", ""), [])
        if hemi is not None:
            regions = [r for r in regions if r.hemi in (hemi, None)]
        return regions

    def suggestions(self, column, limit=3):
        best = {}
        for hemi, text in split_hemisphere(column):
            for match in difflib.get_close_matches(_canonical(text), self.by_name, n=limit, cutoff=0.6):
                score = difflib.SequenceMatcher(None, text, match).ratio()
                for region in self.by_name[match]:
                    if hemi is None or region.hemi in (hemi, None):
                        label = column_name(region.name, hemi) if region.hemi else region.name
                        best[label] = max(best.get(label, 0.0), score)
        return [name for name, _ in sorted(best.items(), key=lambda item: -item[1])][:limit]


def resolve_names(atlas, column_names) -> Resolution:
    """Map column names to the regions of ``atlas``.

    Parameters
    ----------
    atlas : Atlas
    column_names : iterable of str
        Region columns (without the image-name column).

    Returns
    -------
    Resolution
    """
    index = _Index(atlas)
    mapping, medial, unknown, ambiguous, problems = {}, {}, {}, {}, []
    owner = {}
    for column in column_names:
        regions, wall_hemis, group = None, None, False
        for hemi, text in split_hemisphere(column):
            if text in _MEDIAL_WALL and atlas.regions_of("cortical"):
                wall_hemis = (hemi,) if hemi else tuple(h for h in HEMIS if h in atlas.hemis)
                break
            found = index.lookup(hemi, text)
            if found:
                regions, group = found, index.is_group(text)
                break
        if wall_hemis is not None:
            medial[column] = wall_hemis
            continue
        if regions is None:
            unknown[column] = index.suggestions(column)
            shown = ", ".join(repr(s) for s in unknown[column])
            hint = f"; did you mean {shown}?" if shown else "."
            problems.append(f"Column {column!r} matches no region of atlas {atlas.name!r}{hint}")
            continue
        if not group and len({r.name for r in regions}) > 1:
            ambiguous[column] = sorted(r.key for r in regions)
            problems.append(
                f"Column {column!r} is ambiguous in atlas {atlas.name!r}: it could be "
                + ", ".join(repr(k) for k in ambiguous[column])
                + "; use one of these names."
            )
            continue
        kept = []
        for region in regions:
            if region.key in owner:
                problems.append(
                    f"Columns {owner[region.key]!r} and {column!r} both give a value for region "
                    f"{region.key!r}; keep only one."
                )
            else:
                owner[region.key] = column
                kept.append(region)
        if kept:
            mapping[column] = tuple(kept)
    missing = tuple(region for region in atlas.regions if region.key not in owner)
    return Resolution(mapping, medial, unknown, ambiguous, problems, missing)
