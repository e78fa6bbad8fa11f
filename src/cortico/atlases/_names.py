"""Names shared by every atlas: hemispheres, surface kinds, region kinds, side prefixes."""

__all__ = ["HEMIS", "REGION_KINDS", "SIDE_PREFIX", "SURFACE_KINDS", "column_name"]

#: Cortical surfaces every atlas offers (``midthickness`` is computed from pial and white).
SURFACE_KINDS = ("pial", "white", "inflated", "midthickness")
#: Hemispheres, left first.
HEMIS = ("lh", "rh")
REGION_KINDS = ("cortical", "subcortical")
#: Prefix of a hemisphere's region names in BrainPainter v2 / FreeSurfer aseg columns.
SIDE_PREFIX = {"lh": "Left-", "rh": "Right-"}


def column_name(name: str, hemi: str | None) -> str:
    """The v2 column name of a region (``"Left-" + name``; midline regions keep their name)."""
    return SIDE_PREFIX.get(hemi, "") + name if hemi else name
