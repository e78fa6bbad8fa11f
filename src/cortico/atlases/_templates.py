"""BrainPainter's CSV templates (column lists stored as package data)."""

import csv
import functools
import io
import json
from importlib import resources

from cortico.atlases._model import Atlas
from cortico.exceptions import InputError, NotFoundError

IMAGE_NAME_COLUMN = "Image-name-unique"
SCHEMAS = ("v1", "v2")
_TEMPLATE_ALIASES = {"tourville": "dkt", "desikan-killiany": "dk", "desikan": "dk"}


@functools.cache
def brainpainter_columns():
    """All BrainPainter template column lists: ``{atlas: {schema: [names]}}``."""
    text = resources.files("cortico.atlases").joinpath("brainpainter_templates.json").read_text()
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}


def template_columns(atlas, schema="v2"):
    """Region columns of a CSV template, without the image-name column.

    Parameters
    ----------
    atlas : str or Atlas
        A BrainPainter template name (``dk``, ``destrieux``, ``dkt``/``tourville``,
        ``mouse``), another bundled atlas (``yeo7``, ``glasser``...: its own region
        names), or an Atlas (its own region names).
    schema : {"v1", "v2"}
        v1: one column per region name for both hemispheres; v2: ``Left-``/``Right-``.

    Returns
    -------
    list of str
    """
    if schema not in SCHEMAS:
        raise InputError(f"Unknown template schema {schema!r}; use 'v1' or 'v2'.")
    if isinstance(atlas, Atlas):
        return _atlas_columns(atlas, schema)
    key = str(atlas).strip().lower()
    key = _TEMPLATE_ALIASES.get(key, key)
    templates = brainpainter_columns()
    if key not in templates:
        from cortico.atlases._bundled import find_spec, list_atlases, load_atlas

        try:
            find_spec(key)
        except NotFoundError:
            known = sorted(set(templates) | {info.name for info in list_atlases()})
            raise NotFoundError(f"No template for atlas {atlas!r}; templates exist for {', '.join(known)}.") from None
        return _atlas_columns(load_atlas(key), schema)
    if schema not in templates[key]:
        raise InputError(f"Atlas {atlas!r} has no {schema} template; available: {', '.join(templates[key])}.")
    return list(templates[key][schema])


def _atlas_columns(atlas, schema):
    columns = []
    for region in atlas.regions:
        if schema == "v1" or region.hemi is None:
            name = region.name
        else:
            name = ("Left-" if region.hemi == "lh" else "Right-") + region.name
        if name not in columns:
            columns.append(name)
    return columns


def template_csv(atlas, schema="v2", image_names=("image-1",)):
    """A ready-to-fill CSV: header ``Image-name-unique,<regions>`` and empty rows.

    Returns
    -------
    str
    """
    columns = template_columns(atlas, schema)
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([IMAGE_NAME_COLUMN, *columns])
    for name in image_names:
        writer.writerow([name] + [""] * len(columns))
    return stream.getvalue()
