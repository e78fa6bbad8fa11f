import numpy as np
import pandas as pd
import pytest
from PIL import Image

from cortico.exceptions import InputError, JobCancelled
from cortico.paint import PaintSettings, paint, read_values_table

from .conftest import mask_of

pytestmark = pytest.mark.gl
SMALL = dict(width=240, height=180)


def test_arrays_without_out_dir_and_value_colours(dk):
    values = {
        "low": {"Left-superiorfrontal": 0.0},
        "high": {"Left-superiorfrontal": 10.0},
    }
    result = paint(
        values,
        atlas=dk,
        views=["top"],
        colors=("#0000ff", "#ff0000"),
        vmin=0,
        vmax=10,
        **SMALL,
    )
    low, high = result.images[("low", "top")], result.images[("high", "top")]
    assert mask_of(low, 2).sum() > 300 and mask_of(low, 0).sum() == 0
    assert mask_of(high, 0).sum() > 300 and mask_of(high, 2).sum() == 0
    assert (result.scale.vmin, result.scale.vmax) == (0.0, 10.0)


def test_files_progress_and_settings_recreate_the_run(dk, tmp_path):
    csv = b"Image-name-unique,Left-Putamen,Right-superiorfrontal,lingual\n../evil name,1,2,3\n2,3,,1\n"
    table = read_values_table(csv, dk)
    calls = []
    result = paint(
        table,
        atlas=dk,
        out_dir=tmp_path / "a",
        views=["top", "cortical-outer-left-hemisphere"],
        progress=lambda done, total, message: calls.append((done, total)),
        **SMALL,
    )
    names = sorted(p.name for p in (tmp_path / "a").glob("*.png"))
    assert names == sorted(
        [
            "colorbar.png",
            "top_evil_name.png",
            "top_2.png",
            "cortical-outer-left-hemisphere_2.png",
            "cortical-outer-left-hemisphere_evil_name.png",
        ]
    )
    assert calls[0] == (0, 4) and calls[-1] == (4, 4) and [c[0] for c in calls] == [0, 1, 2, 3, 4]
    saved = PaintSettings.from_json(result.settings_path)
    assert (saved.vmin, saved.vmax) == (1.0, 3.0)
    again = paint(table, saved, atlas=dk, out_dir=tmp_path / "b")
    assert again.settings == saved
    for name in names:
        first = np.asarray(Image.open(tmp_path / "a" / name))
        second = np.asarray(Image.open(tmp_path / "b" / name))
        np.testing.assert_array_equal(first, second)


def test_panels_and_movie(dk, tmp_path):
    frame = pd.DataFrame({"Left-superiorfrontal": [1.0, 2.0, 3.0]}, index=["r1", "r2", "r3"])
    result = paint(
        frame,
        atlas=dk,
        out_dir=tmp_path,
        views=["top"],
        panel=True,
        movie=True,
        movie_steps=1,
        movie_view="top",
        label="Thickness (mm)",
        **SMALL,
    )
    assert [p.name for p in result.panels["r2"]] == [
        "panel_r2.png",
        "panel_r2.pdf",
        "panel_r2.svg",
    ]
    assert "Thickness (mm)" in (tmp_path / "panel_r2.svg").read_text()
    gif = Image.open(tmp_path / "movie.gif")
    assert gif.n_frames == 5  # 3 rows + 1 interpolated frame between each pair
    import imageio.v3 as iio

    video = iio.imread(tmp_path / "movie.mp4")
    assert video.shape[0] == 5 and video.shape[1] % 2 == 0 and video.shape[2] % 2 == 0
    # the interpolated frame's region colour lies between its neighbours'
    frames = [video[i].astype(float) for i in range(3)]
    changed = np.abs(frames[0] - frames[2]).sum(axis=-1) > 150
    assert changed.sum() > 200
    blue = [f[..., 2][changed].mean() for f in frames]
    assert blue[0] > blue[1] + 20 > blue[2] + 40


def test_transparent_png_output_keeps_alpha(dk, tmp_path):
    paint(
        {"Left-Putamen": 1.0},
        atlas=dk,
        out_dir=tmp_path,
        views=["top"],
        background="transparent",
        **SMALL,
    )
    image = np.asarray(Image.open(tmp_path / "top_image.png"))
    assert image.shape[2] == 4 and image[0, 0, 3] == 0 and image[90, 120, 3] == 255


def test_cancellation_from_progress_stops_the_run(dk, tmp_path):
    def cancel(done, total, message):
        if done == 1:
            raise JobCancelled("cancelled by user")

    with pytest.raises(JobCancelled):
        paint(
            {"a": {"Left-Putamen": 1}, "b": {"Left-Putamen": 2}},
            atlas=dk,
            out_dir=tmp_path,
            views=["top"],
            progress=cancel,
            **SMALL,
        )
    assert not (tmp_path / "top_b.png").exists()


def test_bad_requests(dk):
    with pytest.raises(InputError, match="give out_dir"):
        paint({"Left-Putamen": 1.0}, atlas=dk, panel=True)
    with pytest.raises(InputError, match="unknown setting"):
        paint({"Left-Putamen": 1.0}, atlas=dk, colour="red")
    with pytest.raises(InputError, match="negative"):
        paint(
            {"Left-Putamen": -1.0},
            atlas=dk,
            mode="brainpainter",
            views=["top"],
            **SMALL,
        )


def test_aseg_alone_defaults_to_subcortical_views():
    from cortico.atlases import load_atlas

    aseg = load_atlas("aseg")
    result = paint({"s": {"Left-Putamen": 1.0, "Right-Putamen": 2.0}}, atlas=aseg, **SMALL)
    assert {view for _, view in result.images} == {
        "subcortical-outer-left-hemisphere",
        "subcortical-outer-right-hemisphere",
        "subcortical-top",
        "subcortical-bottom",
    }
    with pytest.raises(InputError, match="would show nothing"):
        paint({"s": {"Left-Putamen": 1.0}}, atlas=aseg, views=["top"], **SMALL)


def test_empty_cell_and_missing_column_get_their_own_colours(dk):
    values = pd.DataFrame({"Left-superiorfrontal": [np.nan], "Left-lingual": [1.0]}, index=["s"])
    result = paint(
        values,
        atlas=dk,
        views=["cortical-inner-left-hemisphere"],
        missing_color="#ff0000",
        nodata_color="#00ff00",
        colors=("#0000ff", "#0000ff"),
        **SMALL,
    )
    image = result.images[("s", "cortical-inner-left-hemisphere")]
    assert mask_of(image, 0).sum() > 200  # superiorfrontal: an empty cell, missing value
    assert mask_of(image, 1).sum() > 1000  # regions without a column: no data
    assert mask_of(image, 2).sum() > 100  # lingual has a value


def test_cortex4_panel_renders_the_views_it_needs_at_full_size(dk, tmp_path):
    result = paint(
        {"s": {"Left-superiorfrontal": 1.0, "Right-precuneus": 2.0}},
        atlas=dk,
        views=["top"],
        panel=True,
        layout="cortex4",
        panel_formats=("png",),
        out_dir=tmp_path,
        **SMALL,
    )
    assert {view for _, view in result.images} == {
        "top",
        "cortical-outer-left-hemisphere",
        "cortical-outer-right-hemisphere",
        "cortical-inner-left-hemisphere",
        "cortical-inner-right-hemisphere",
    }
    with Image.open(result.panels["s"][0]) as panel:
        width, height = panel.size
    assert width >= 2 * SMALL["width"] and height >= 2 * SMALL["height"]  # 2x2 views, not shrunk
