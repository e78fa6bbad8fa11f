"""Small pictures of every bundled atlas in its own colours, for the atlas and painting pages.

Rendered once, when the package is built, into ``static/paint/atlases/<atlas>.png``
(the web process never renders)::

    python -m cortico.web.pages._atlas_thumbnails
"""

from pathlib import Path

from cortico.web.pages._view_thumbnails import save_thumbnail

__all__ = ["ATLAS_THUMBNAIL_FOLDER", "atlas_thumbnail_name", "render_atlas_thumbnails"]

ATLAS_THUMBNAIL_FOLDER = Path(__file__).resolve().parents[1] / "static" / "paint" / "atlases"
_SIZE = (160, 120)


def atlas_thumbnail_name(atlas_name):
    """File name of a bundled atlas' thumbnail (relative to the static folder)."""
    return f"paint/atlases/{atlas_name}.png"


def render_atlas_thumbnails(folder=ATLAS_THUMBNAIL_FOLDER, size=_SIZE):
    """Render each bundled atlas (left lateral on fsaverage5; the mouse map from the top).

    Returns
    -------
    list of Path
    """
    from cortico.atlases import list_atlases, load_atlas

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for info in list_atlases():
        mouse = info.space != "fsaverage"
        atlas = load_atlas(info.name) if mouse else load_atlas(info.name, mesh="fsaverage5")
        if info.name == "aseg":
            view = "subcortical-outer-left-hemisphere"
        else:
            view = "top" if mouse else "cortical-outer-left-hemisphere"
        written.append(save_thumbnail(atlas, view, folder / Path(atlas_thumbnail_name(info.name)).name, size))
    return written


if __name__ == "__main__":
    for written_path in render_atlas_thumbnails():
        print(written_path)
