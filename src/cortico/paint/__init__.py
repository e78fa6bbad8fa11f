"""Painting: render atlases coloured by region values, colour bars, panels and movies.

Pure domain core (numpy, moderngl, matplotlib); usable from Python without the
web service::

    from cortico.paint import paint
    result = paint({"sub-01": {"Left-Hippocampus": 2.5}}, atlas="dk", out_dir="out")
"""

from cortico.exceptions import Problem
from cortico.paint._atlas_choice import IMPORTED_PREFIX, atlas_store, load_paint_atlas, owner_atlases
from cortico.paint._colors import (
    BRAINPAINTER_WEBSITE_STOPS,
    DEFAULT_STOPS,
    ColorScale,
    brainpainter_colors,
    parse_color,
)
from cortico.paint._figures import (
    colorbar_figure,
    panel_figure,
    save_figure,
    view_caption,
)
from cortico.paint._files import (
    INPUT_CSV,
    SETTINGS_FILE,
    ZIP_NAME,
    result_files,
    result_record,
    row_file_names,
    thumb_file,
    zip_members,
)
from cortico.paint._limits import PaintLimits
from cortico.paint._mesh import PreviewGeometry, painted_mesh_bytes, preview_geometry, preview_mesh
from cortico.paint._naming import safe_name
from cortico.paint._outputs import read_row_images, render_images, write_colorbars, write_movie_files, write_panel
from cortico.paint._paint import PaintResult, paint
from cortico.paint._render import region_color_table, render_view
from cortico.paint._request import PaintRequest, check_paint_request, saved_request_exists, values_to_csv
from cortico.paint._settings import PaintSettings
from cortico.paint._table import (
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
    "IMPORTED_PREFIX",
    "INPUT_CSV",
    "NAMED_VIEWS",
    "PaintLimits",
    "PaintRequest",
    "PaintResult",
    "PaintSettings",
    "PreviewGeometry",
    "Problem",
    "SETTINGS_FILE",
    "ValuesRow",
    "ValuesTable",
    "View",
    "ZIP_NAME",
    "atlas_store",
    "brainpainter_colors",
    "check_paint_request",
    "colorbar_figure",
    "get_view",
    "load_paint_atlas",
    "owner_atlases",
    "paint",
    "painted_mesh_bytes",
    "panel_figure",
    "parse_color",
    "preview_geometry",
    "preview_mesh",
    "read_row_images",
    "read_values_table",
    "region_color_table",
    "render_images",
    "render_view",
    "result_files",
    "result_record",
    "row_file_names",
    "safe_name",
    "save_figure",
    "saved_request_exists",
    "thumb_file",
    "values_table_from_data",
    "values_to_csv",
    "view_caption",
    "write_colorbars",
    "write_movie_files",
    "write_panel",
    "zip_members",
]
