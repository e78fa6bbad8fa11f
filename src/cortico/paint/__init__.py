"""Painting: render atlases coloured by region values, colour bars, panels and movies.

Pure domain core (numpy, moderngl, matplotlib); usable from Python without the
web service::

    from cortico.paint import paint
    result = paint({"sub-01": {"Left-Hippocampus": 2.5}}, atlas="dk", out_dir="out")
"""

from cortico.paint._colors import (
    BRAINPAINTER_WEBSITE_STOPS,
    DEFAULT_STOPS,
    ColorScale,
    brainpainter_colors,
    parse_color,
)
from cortico.paint._figures import (
    LAYOUTS,
    colorbar_figure,
    format_value,
    panel_figure,
    save_figure,
    view_caption,
)
from cortico.paint._naming import safe_name
from cortico.paint._paint import PaintResult, paint
from cortico.paint._render import region_color_table, render_view
from cortico.paint._settings import PaintSettings
from cortico.paint._table import (
    TableProblem,
    ValuesRow,
    ValuesTable,
    read_values_table,
    values_table_from_data,
)
from cortico.paint._views import BRAINPAINTER_VIEWS, NAMED_VIEWS, View, get_view

__all__ = [
    "BRAINPAINTER_VIEWS",
    "BRAINPAINTER_WEBSITE_STOPS",
    "ColorScale",
    "DEFAULT_STOPS",
    "LAYOUTS",
    "NAMED_VIEWS",
    "PaintResult",
    "PaintSettings",
    "TableProblem",
    "ValuesRow",
    "ValuesTable",
    "View",
    "brainpainter_colors",
    "colorbar_figure",
    "format_value",
    "get_view",
    "paint",
    "panel_figure",
    "parse_color",
    "read_values_table",
    "region_color_table",
    "render_view",
    "safe_name",
    "save_figure",
    "values_table_from_data",
    "view_caption",
]
