"""Colour bars and per-row panels (matplotlib, object API: no pyplot global state).

Vector outputs keep text as text (``svg.fonttype='none'``, ``pdf.fonttype=42``);
brain images are embedded rasters at their rendered resolution, and the PNG of a
panel shows every view pixel for pixel (the figure's dpi is chosen so that one
image pixel is one output pixel).
"""

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "LAYOUTS",
    "format_value",
    "nice_ticks",
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


# Panel layouts: views in display order (None = the views given, in their order).
LAYOUTS = {
    "grid": (),
    "cortex4": (
        "cortical-outer-left-hemisphere",
        "cortical-outer-right-hemisphere",
        "cortical-inner-left-hemisphere",
        "cortical-inner-right-hemisphere",
    ),
    "brainpainter": (
        "cortical-outer-left-hemisphere",
        "cortical-outer-right-hemisphere",
        "cortical-inner-left-hemisphere",
        "cortical-inner-right-hemisphere",
        "top",
        "bottom",
        "subcortical-outer-left-hemisphere",
        "subcortical-outer-right-hemisphere",
        "subcortical-top",
        "subcortical-bottom",
    ),
}
_LAYOUT_COLUMNS = {"grid": 4, "cortex4": 2, "brainpainter": 5}
# Each view is drawn this many inches wide: sets the dpi so text keeps its size
# relative to the brains whatever the render size.
_CELL_INCHES = 3.0
_MINUS = "\u2212"


def format_value(value, digits=3) -> str:
    """``value`` with at most ``digits`` significant digits, no exponent, typographic minus."""
    value = float(value)
    if value == 0 or not np.isfinite(value):
        return "0" if value == 0 else str(value)
    text = np.format_float_positional(value, precision=digits, unique=True, fractional=False, trim="-")
    return text.replace("-", _MINUS)


def nice_ticks(vmin, vmax, minimum=4, maximum=7) -> list[float]:
    """4-7 round tick values inside ``vmin..vmax`` (matplotlib's MaxNLocator)."""
    from matplotlib.ticker import MaxNLocator

    span = vmax - vmin
    best = []
    for bins in range(maximum - 1, 2 * maximum):
        ticks = MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(vmin, vmax)
        inside = [float(t) for t in ticks if vmin - 1e-9 * span <= t <= vmax + 1e-9 * span]
        if minimum <= len(inside) <= maximum:
            return inside
        if len(inside) <= maximum:
            best = inside
    return best


def view_caption(view_name) -> str:
    """A short human caption for a view name (``"Left lateral"``)."""
    return _CAPTIONS.get(view_name, view_name.replace("-", " "))


def _draw_colorbar(fig, cax, scale, label, orientation):
    from matplotlib.cm import ScalarMappable

    cmap, norm = scale.matplotlib()
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation=orientation)
    bar.outline.set_linewidth(0.6)
    bar.ax.tick_params(labelsize=9, width=0.6)
    from matplotlib.ticker import FuncFormatter

    if scale.mode == "brainpainter":
        bar.set_ticks(np.arange(int(scale.vmin), int(scale.vmax) + 1))
    else:
        bar.set_ticks(nice_ticks(scale.vmin, scale.vmax))
    bar.ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: format_value(value)))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: format_value(value)))
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
        fig = Figure(figsize=(4.5, 0.95 if label else 0.7), dpi=200)
        cax = fig.add_axes([0.06, 0.62 if label else 0.5, 0.88, 0.3 if label else 0.38])
    else:
        fig = Figure(figsize=(1.1 if label else 0.8, 3.5), dpi=200)
        cax = fig.add_axes([0.1, 0.05, 0.22, 0.9])
    _draw_colorbar(fig, cax, scale, label, orientation)
    return fig


def _layout_images(images, layout) -> list:
    if layout not in LAYOUTS:
        from cortico.exceptions import InputError

        raise InputError(f"Panel layout must be one of {tuple(LAYOUTS)}, got {layout!r}.")
    if not LAYOUTS[layout]:
        return list(images)
    by_name = dict(images)
    missing = [name for name in LAYOUTS[layout] if name not in by_name]
    if missing:
        from cortico.exceptions import InputError

        raise InputError(f"The {layout!r} panel layout needs the view(s) {', '.join(missing)}.")
    return [(name, by_name[name]) for name in LAYOUTS[layout]]


def panel_figure(images, scale, label="", title="", columns=None, layout="grid") -> "Figure":
    """One figure with every view of a row, their captions, a colour bar and a title.

    Each view keeps its rendered size: saved as PNG (at the figure's own dpi, the
    default of :func:`save_figure`) one image pixel is one output pixel, and PDF/SVG
    embed the images unresampled.

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
        Views per line (default: up to 4; 2 for ``cortex4``, 5 for ``brainpainter``).
    layout : {"grid", "cortex4", "brainpainter"}
        ``grid``: ``images`` in order. ``cortex4``: left/right lateral above
        left/right medial. ``brainpainter``: BrainPainter's 10 views in its order.
        The named layouts pick their views from ``images`` by name.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    images = _layout_images(images, layout)
    count = len(images)
    columns = columns or min(count, _LAYOUT_COLUMNS[layout])
    lines = -(-count // columns)
    height, width = images[0][1].shape[:2]
    dpi = width / _CELL_INCHES
    # layout in pixels, so that every image sits on whole output pixels
    inch = dpi
    gap, caption = round(0.08 * inch), round(0.25 * inch)
    title_h = round((0.5 if title else 0.1) * inch)
    bar_h = round((0.95 if label else 0.75) * inch)
    cell_h = height + caption
    fig_w = columns * width + (columns - 1) * gap + 2 * gap
    fig_h = title_h + lines * cell_h + bar_h
    fig = Figure(figsize=(fig_w / dpi, fig_h / dpi), dpi=dpi)
    for index, (view_name, image) in enumerate(images):
        line, column = divmod(index, columns)
        left = gap + column * (width + gap)
        bottom = bar_h + (lines - 1 - line) * cell_h + caption
        ax = fig.add_axes([left / fig_w, bottom / fig_h, image.shape[1] / fig_w, image.shape[0] / fig_h])
        ax.imshow(image, interpolation="none", aspect="auto")
        ax.set_axis_off()
        fig.text(
            (left + width / 2) / fig_w,
            (bottom - 0.04 * inch) / fig_h,
            view_caption(view_name),
            ha="center",
            va="top",
            fontsize=9,
            color="#333333",
        )
    bar_w = min(4.5 * inch, fig_w * 0.7)
    cax = fig.add_axes(
        [
            (fig_w - bar_w) / 2 / fig_w,
            (0.45 if label else 0.3) * inch / fig_h,
            bar_w / fig_w,
            0.16 * inch / fig_h,
        ]
    )
    _draw_colorbar(fig, cax, scale, label, "horizontal")
    if title:
        fig.text(
            0.5,
            1 - 0.12 * inch / fig_h,
            title,
            ha="center",
            va="top",
            fontsize=13,
            fontweight="bold",
        )
    return fig


def save_figure(fig, path, dpi=None, transparent=False) -> None:
    """Write ``fig`` to ``path`` (format from the suffix) with text kept as text.

    ``dpi`` defaults to the figure's own (panels: one image pixel per output pixel).
    """
    import matplotlib

    with matplotlib.rc_context(_RC):
        fig.savefig(
            Path(path),
            dpi=dpi or "figure",
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
