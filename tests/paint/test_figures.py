import re
import zlib

import numpy as np
import pytest

from cortico.paint import ColorScale, colorbar_figure, panel_figure, save_figure

LABEL = "Cortical thickness (mm)"


def pdf_text(data):
    """Text drawn by a matplotlib PDF (TJ/Tj strings of all content streams)."""
    pieces = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        for block in re.findall(rb"\nBT\n(.*?)\nET\n", content, re.S):  # text objects only
            for array in re.findall(rb"\[(.*?)\]\s*TJ|(\(.*?\))\s*Tj", block, re.S):
                parts = re.findall(rb"\(((?:\\.|[^\\)])*)\)", b"".join(array))
                raw = b"".join(re.sub(rb"\\(.)", rb"\1", part) for part in parts)
                pieces.append(raw.replace(b"\x00", b"").decode("latin-1"))
    return "\n".join(pieces)


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return [
        (name, rng.integers(0, 255, (90, 120, 4), dtype=np.uint8))
        for name in ("cortical-outer-left-hemisphere", "top", "camera-az30-el0-zoom1")
    ]


def test_panel_pdf_and_svg_keep_text_as_text(tmp_path, images):
    scale = ColorScale(1.5, 3.5)
    figure = panel_figure(images, scale, LABEL, title="sub-01")
    save_figure(figure, tmp_path / "panel.svg")
    save_figure(figure, tmp_path / "panel.pdf")
    svg = (tmp_path / "panel.svg").read_text()
    assert re.search(r"<text[^>]*>Cortical thickness \(mm\)</text>", svg)
    for text in ("sub-01", "Left lateral", "Superior", "1.5", "2.5", "3.5"):
        assert f">{text}</text>" in svg
    pdf = (tmp_path / "panel.pdf").read_bytes()
    text = pdf_text(pdf)
    for expected in (LABEL, "sub-01", "Left lateral", "2.5"):
        assert expected in text
    assert b"/FontFile2" in pdf  # TrueType (Type 42) embedded: selectable text
    assert pdf.count(b"/Subtype /Image") >= 3  # brains are embedded rasters


def test_panel_png_has_brains_and_bar(tmp_path, images):
    from PIL import Image

    save_figure(
        panel_figure(images, ColorScale(0.0, 1.0), LABEL, title="t"),
        tmp_path / "panel.png",
        dpi=100,
    )
    picture = np.asarray(Image.open(tmp_path / "panel.png").convert("RGB"))
    assert picture.shape[1] > 3 * 120
    assert (picture.std(axis=-1) > 30).mean() > 0.1  # colourful content, not a blank page


def test_colorbar_ticks_in_data_units_and_brainpainter_integer_ticks(tmp_path):
    save_figure(colorbar_figure(ColorScale(-3.0, 7.0), "z"), tmp_path / "bar.svg")
    svg = (tmp_path / "bar.svg").read_text()
    assert ">−2</text>" in svg and ">6</text>" in svg and ">z</text>" in svg
    bp = ColorScale(
        0.0,
        4.0,
        stops=("#ffffff", "#ffff00", "#ff9100", "#ff0000", "#ff0000"),
        mode="brainpainter",
    )
    save_figure(colorbar_figure(bp, ""), tmp_path / "bp.svg")
    ticks = re.findall(r">([^<>]+)</text>", (tmp_path / "bp.svg").read_text())
    assert ticks == ["0", "1", "2", "3", "4"]


def _find(picture, image):
    """(row, column) where ``image`` appears pixel for pixel inside ``picture``, or None."""
    h, w = image.shape[:2]
    rows, columns = np.nonzero((picture[: -h + 1, : -w + 1] == image[0, 0]).all(axis=-1))
    for row, column in zip(rows, columns, strict=True):
        if np.array_equal(picture[row : row + h, column : column + w], image):
            return row, column
    return None


@pytest.mark.parametrize("layout, columns", [("grid", 4), ("cortex4", 2)])
def test_panel_png_keeps_every_view_at_its_rendered_size(tmp_path, layout, columns):
    from PIL import Image

    rng = np.random.default_rng(1)
    names = [
        "cortical-outer-left-hemisphere",
        "cortical-outer-right-hemisphere",
        "cortical-inner-left-hemisphere",
        "cortical-inner-right-hemisphere",
    ]
    images = [(name, rng.integers(0, 255, (150, 200, 3), dtype=np.uint8)) for name in names]
    save_figure(panel_figure(images, ColorScale(0.0, 1.0), LABEL, title="t", layout=layout), tmp_path / "p.png")
    picture = np.asarray(Image.open(tmp_path / "p.png").convert("RGB"))
    places = [_find(picture, image) for _, image in images]
    assert None not in places  # every view is in the PNG, unresampled
    assert len({row for row, _ in places}) == len(names) // columns  # lines of the layout
    if layout == "cortex4":  # left/right lateral above left/right medial
        assert places[0][0] == places[1][0] < places[2][0] == places[3][0]
        assert places[0][1] == places[2][1] < places[1][1] == places[3][1]


def test_named_layout_says_which_views_it_lacks(images):
    from cortico.exceptions import InputError

    with pytest.raises(InputError, match="cortical-inner-left-hemisphere"):
        panel_figure(images, ColorScale(0.0, 1.0), layout="cortex4")


@pytest.mark.parametrize(
    "vmin, vmax, expected",
    [
        (0.00990793, 2.99755, ["0.5", "1", "1.5", "2", "2.5"]),
        (1.0, 2.0, ["1", "1.2", "1.4", "1.6", "1.8", "2"]),
        (-3.0, 7.0, ["−2", "0", "2", "4", "6"]),
        (1234.5, 98765.4, ["20000", "40000", "60000", "80000"]),
    ],
)
def test_colorbar_has_four_to_seven_round_ticks_with_three_significant_digits(tmp_path, vmin, vmax, expected):
    save_figure(colorbar_figure(ColorScale(vmin, vmax), ""), tmp_path / "bar.svg")
    ticks = re.findall(r">([^<>]+)</text>", (tmp_path / "bar.svg").read_text())
    assert 4 <= len(ticks) <= 7
    assert ticks == expected


def test_format_value_keeps_three_significant_digits():
    from cortico.paint import format_value

    assert format_value(0.00990793) == "0.00991"
    assert format_value(2.99755) == "3"
    assert format_value(-1234.5) == "−1230"
    assert format_value(0) == "0"
