"""BrainPainter's CSV templates (column lists stored as package data)."""

import csv
import functools
import io
import json
from importlib import resources

from cortico.atlases._model import Atlas
from cortico.atlases._names import column_name
from cortico.exceptions import InputError, NotFoundError

IMAGE_NAME_COLUMN = "Image-name-unique"
SCHEMAS = ("v1", "v2")
_TEMPLATE_ALIASES = {"tourville": "dkt", "desikan-killiany": "dk", "desikan": "dk"}


@functools.cache
def brainpainter_columns():
    """All BrainPainter template column lists: ``{atlas: {schema: [names]}}``."""
    text = resources.files("cortico.atlases").joinpath("brainpainter_templates.json").read_text()
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}


def template_columns(atlas, schema="v2") -> list[str]:
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
        name = region.name if schema == "v1" else column_name(region.name, region.hemi)
        if name not in columns:
            columns.append(name)
    return columns


def template_csv(atlas, schema="v2", image_names=("image-1",), demo=False) -> str:
    """A ready-to-fill CSV: header ``Image-name-unique,<regions>`` and one row per image name.

    Parameters
    ----------
    atlas, schema
        As in :func:`template_columns`.
    image_names : sequence of str
        The rows.
    demo : bool
        Fill the rows with demonstration values (a smooth pattern, each row a little lower than
        the one before) instead of leaving them empty.
    """
    columns = template_columns(atlas, schema)
    if demo:
        from cortico.atlases._bundled import load_atlas
        from cortico.atlases._demo import demo_cells

        loaded = atlas if isinstance(atlas, Atlas) else load_atlas(_TEMPLATE_ALIASES.get(str(atlas).lower(), atlas))
        cells = demo_cells(loaded, columns)
        rows: list[list[str]] = [
            ["" if value is None else f"{value - 0.15 * index:.2f}" for value in cells]
            for index in range(len(image_names))
        ]
    else:
        rows = [[""] * len(columns) for _ in image_names]
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([IMAGE_NAME_COLUMN, *columns])
    for name, row in zip(image_names, rows):
        writer.writerow([name, *row])
    return stream.getvalue()
