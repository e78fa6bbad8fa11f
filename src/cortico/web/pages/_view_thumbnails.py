"""Small pictures of every named view, shown next to the view checkboxes.

They are rendered once, when the package is built, into
``static/paint/views/<view>.png`` (the web process never renders)::

    python -m cortico.web.pages._view_thumbnails
"""

from pathlib import Path

import numpy as np

__all__ = ["THUMBNAIL_FOLDER", "render_view_thumbnails", "save_thumbnail", "thumbnail_name"]

THUMBNAIL_FOLDER = Path(__file__).resolve().parents[1] / "static" / "paint" / "views"
_SIZE = (160, 120)


def thumbnail_name(view_name):
    """File name of a view's thumbnail (relative to the static folder)."""
    return f"paint/views/{view_name}.png"


def save_thumbnail(atlas, view, path, size=_SIZE):
    """Render ``atlas`` in its own colours from ``view`` on a transparent background into the PNG ``path``."""
    from PIL import Image

    from cortico.paint import render_view

    colors = np.array([region.color for region in atlas.regions]).reshape(-1, 3)
    image = render_view(atlas, "pial", colors, view, size=size, background="transparent")
    Image.fromarray(image).save(path, optimize=True)
    return path


def render_view_thumbnails(folder=THUMBNAIL_FOLDER, size=_SIZE):
    """Render every named view of the DK atlas in its own colours, transparent background.

    Returns
    -------
    list of Path
    """
    from cortico.atlases import load_atlas
    from cortico.paint import NAMED_VIEWS

    atlas = load_atlas("dk")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [save_thumbnail(atlas, name, folder / Path(thumbnail_name(name)).name, size) for name in NAMED_VIEWS]


if __name__ == "__main__":
    for written_path in render_view_thumbnails():
        print(written_path)
