"""The paint job's process tasks write through the same core functions as ``paint()``."""

import numpy as np
from PIL import Image

from cortico.jobs.kinds._paint_pool import plan_parts, render_part
from cortico.paint import check_paint_request, regions_without_column
from tests.paint.conftest import mask_of

TABLE = b"Image-name-unique,Left-superiorfrontal,Left-lingual\ns,,1\n"


def test_render_part_gives_empty_cells_and_missing_columns_their_own_colours(tmp_path):
    request = check_paint_request(
        TABLE,
        {
            "views": ["cortical-inner-left-hemisphere"],
            "missing_color": "#ff0000",
            "nodata_color": "#00ff00",
            "colors": ["#0000ff", "#0000ff"],
            "width": 200,
            "height": 150,
        },
    )
    assert request.ok, request.problems
    settings = request.settings.resolved(request.table.matrix())
    scale = settings.color_scale(request.table.matrix())
    (part,) = plan_parts(1, tuple(settings.view_objects), 1)
    (tmp_path / "thumbs").mkdir()
    reported = []
    task = (
        request.atlas,
        part,
        [("s", request.table.rows[0])],
        settings,
        scale,
        str(tmp_path),
        regions_without_column(request.table),
    )
    render_part(task, lambda kind, message: reported.append((kind, message)))
    assert reported == [("image", "s: cortical-inner-left-hemisphere")]
    image = np.asarray(Image.open(tmp_path / "cortical-inner-left-hemisphere_s.png").convert("RGBA"))
    assert mask_of(image, 0).sum() > 200  # superiorfrontal: an empty cell, missing value
    assert mask_of(image, 1).sum() > 1000  # regions without a column: no data
    assert mask_of(image, 2).sum() > 100  # lingual has a value
    assert (tmp_path / "thumbs" / "cortical-inner-left-hemisphere_s.png").is_file()
