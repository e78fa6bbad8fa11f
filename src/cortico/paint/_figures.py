"""Colour bars and per-row panels (matplotlib, object API: no pyplot global state).

Vector outputs keep text as text (``svg.fonttype='none'``, ``pdf.fonttype=42``);
brain images are embedded rasters at their rendered resolution.
"""

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "colorbar_figure",
    "panel_figure",
    "save_figure",
    "view_caption",
    "colorbar_image",
]

_RC = {
    "svg.fonttype": "none",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "font.family": "DejaVu Sans",
    "font.size": 10,
}

_CAPTIONS = {
    "cortical-outer-left-hemisphere": "Left lateral",
    "cortical-outer-right-hemisphere": "Right lateral",
    "cortical-inner-left-hemisphere": "Left medial",
    "cortical-inner-right-hemisphere": "Right medial",
    "top": "Superior",
    "bottom": "Inferior",
    "anterior": "Anterior",
    "posterior": "Posterior",
    "subcortical-outer-left-hemisphere": "Left subcortical",
    "subcortical-outer-right-hemisphere": "Right subcortical",
    "subcortical-top": "Subcortical, superior",
    "subcortical-bottom": "Subcortical, inferior",
}


def view_caption(view_name) -> str:
    """A short human caption for a view name (``"Left lateral"``)."""
    return _CAPTIONS.get(view_name, view_name.replace("-", " "))


def _draw_colorbar(fig, cax, scale, label, orientation):
    from matplotlib.cm import ScalarMappable

    cmap, norm = scale.matplotlib()
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation=orientation)
    bar.outline.set_linewidth(0.6)
    bar.ax.tick_params(labelsize=9, width=0.6)
    if scale.mode == "brainpainter":
        bar.set_ticks(np.arange(int(scale.vmin), int(scale.vmax) + 1))
    else:
        from matplotlib.ticker import MaxNLocator

        ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(scale.vmin, scale.vmax)
        span = scale.vmax - scale.vmin
        bar.set_ticks([t for t in ticks if scale.vmin - 1e-9 * span <= t <= scale.vmax + 1e-9 * span])
    if label:
        bar.set_label(label, fontsize=10)
    return bar


def colorbar_figure(scale, label="", orientation="horizontal") -> "Figure":
    """A figure holding only the colour bar of ``scale`` in data units.

    Parameters
    ----------
    scale : ColorScale
    label : str
        Text under (or beside) the bar, e.g. ``"Cortical thickness (mm)"``.
    orientation : {"horizontal", "vertical"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    if orientation == "horizontal":
        fig = Figure(figsize=(4.5, 0.95 if label else 0.7))
        cax = fig.add_axes([0.06, 0.62 if label else 0.5, 0.88, 0.3 if label else 0.38])
    else:
        fig = Figure(figsize=(1.1 if label else 0.8, 3.5))
        cax = fig.add_axes([0.1, 0.05, 0.22, 0.9])
    _draw_colorbar(fig, cax, scale, label, orientation)
    return fig


def panel_figure(images, scale, label="", title="", columns=None) -> "Figure":
    """One figure with every view of a row, their captions, a colour bar and a title.

    Parameters
    ----------
    images : list of (str, ndarray)
        ``(view name, RGBA image)`` in display order.
    scale : ColorScale
    label : str
        Colour bar label.
    title : str
        Figure title (the image name).
    columns : int, optional
        Views per line (default: up to 4).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    count = len(images)
    columns = columns or min(count, 4)
    lines = -(-count // columns)
    height, width = images[0][1].shape[:2]
    cell_w = 2.6
    cell_h = cell_w * height / width + 0.25
    title_h, bar_h = (0.45 if title else 0.1), (0.9 if label else 0.7)
    fig_w, fig_h = cell_w * columns + 0.3, cell_h * lines + title_h + bar_h
    fig = Figure(figsize=(fig_w, fig_h))
    for index, (view_name, image) in enumerate(images):
        line, column = divmod(index, columns)
        left = (0.15 + column * cell_w) / fig_w
        bottom = (bar_h + (lines - 1 - line) * cell_h + 0.25) / fig_h
        ax = fig.add_axes([left, bottom, cell_w / fig_w, (cell_h - 0.25) / fig_h])
        ax.imshow(image, interpolation="antialiased")
        ax.set_axis_off()
        fig.text(
            left + cell_w / fig_w / 2,
            bottom - 0.04 / fig_h,
            view_caption(view_name),
            ha="center",
            va="top",
            fontsize=9,
            color="#333333",
        )
    bar_w = min(4.5, fig_w * 0.7)
    cax = fig.add_axes(
        [
            (fig_w - bar_w) / 2 / fig_w,
            (0.45 if label else 0.25) / fig_h,
            bar_w / fig_w,
            0.16 / fig_h,
        ]
    )
    _draw_colorbar(fig, cax, scale, label, "horizontal")
    if title:
        fig.text(
            0.5,
            1 - 0.12 / fig_h,
            title,
            ha="center",
            va="top",
            fontsize=13,
            fontweight="bold",
        )
    return fig


def save_figure(fig, path, dpi=200, transparent=False) -> None:
    """Write ``fig`` to ``path`` (format from the suffix) with text kept as text."""
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig.savefig(
            Path(path),
            dpi=dpi,
            transparent=transparent,
            facecolor="none" if transparent else "white",
        )


def colorbar_image(scale, label, width):
    """The horizontal colour bar as an RGBA array ``width`` pixels wide (for movies)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(_RC):
        fig = colorbar_figure(scale, label)
        dpi = width / fig.get_figwidth()
        fig.set_dpi(dpi)
        fig.set_facecolor("white")
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()
