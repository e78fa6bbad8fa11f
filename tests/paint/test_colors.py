import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cortico.exceptions import InputError
from cortico.paint import ColorScale, brainpainter_colors, parse_color

STOPS = ("#ffffff", "#ffff00", "#ff9100", "#ff0000", "#ff0000")


def test_brainpainter_formula_on_hand_computed_values():
    # v=1.25: k=1, f=0.25 -> 0.75*yellow + 0.25*(1, 0x91/255, 0)
    orange_g = 0x91 / 255
    colors = brainpainter_colors([0.0, 0.5, 1.25, 2.0, 3.5], STOPS)
    np.testing.assert_allclose(colors[0], [1, 1, 1])
    np.testing.assert_allclose(colors[1], [1, 1, 0.5])
    np.testing.assert_allclose(colors[2], [1, 0.75 + 0.25 * orange_g, 0])
    np.testing.assert_allclose(colors[3], [1, orange_g, 0])
    np.testing.assert_allclose(colors[4], [1, 0, 0])


def test_brainpainter_clamps_top_to_n_minus_1_01():
    stops = ("#000000", "#ffffff")  # N = 2: v >= 1 becomes 0.99
    colors = brainpainter_colors([1.0, 7.0, 0.99], stops)
    np.testing.assert_allclose(colors, np.full((3, 3), 0.99))


def test_brainpainter_rejects_negative_values():
    with pytest.raises(InputError, match="negative"):
        brainpainter_colors([0.5, -0.1], STOPS)


def test_ramp_stretches_over_data_range_and_clamps():
    scale = ColorScale(10.0, 20.0, stops=("#000000", "#ffffff"))
    colors = scale([5.0, 10.0, 12.5, 20.0, 99.0])
    np.testing.assert_allclose(colors[:, 0], [0.0, 0.0, 0.25, 1.0, 1.0])


def test_diverging_colormap_centred_on_value():
    scale = ColorScale(-1.0, 4.0, cmap="RdBu_r", center=0.0)
    middle = scale([0.0])[0]
    import matplotlib

    np.testing.assert_allclose(middle, matplotlib.colormaps["RdBu_r"](0.5)[:3])
    np.testing.assert_allclose(scale.fractions([-1.0, -0.5, 0.0, 2.0, 4.0]), [0, 0.25, 0.5, 0.75, 1.0])


def test_nan_gets_nodata_color():
    scale = ColorScale(0.0, 1.0, nodata_color=(0.1, 0.2, 0.3))
    colors = scale([np.nan, 0.0])
    np.testing.assert_allclose(colors[0], [0.1, 0.2, 0.3])
    np.testing.assert_allclose(colors[1], [1.0, 1.0, 1.0])


def test_matplotlib_colorbar_matches_scale():
    scale = ColorScale(0.0, 4.0, stops=("#0000ff", "#ff0000"))
    cmap, norm = scale.matplotlib()
    np.testing.assert_allclose(cmap(norm(3.0))[:3], scale([3.0])[0], atol=1 / 256)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("#ff0000", (1, 0, 0)),
        ("00ff00", (0, 1, 0)),
        ("blue", (0, 0, 1)),
        ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    ],
)
def test_parse_color(value, expected):
    assert parse_color(value) == pytest.approx(expected)


def test_parse_color_rejects_nonsense_with_message():
    with pytest.raises(InputError, match="'#12' is not a colour"):
        parse_color("#12")


def test_invalid_scale_messages():
    with pytest.raises(InputError, match="vmin < vmax"):
        ColorScale(2.0, 1.0)
    with pytest.raises(InputError, match="Unknown colormap 'nope'"):
        ColorScale(0.0, 1.0, cmap="nope")


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=True, allow_infinity=False, width=32),
        min_size=1,
        max_size=20,
    ),
    low=st.floats(-1e3, 1e3),
    span=st.floats(1e-3, 1e3),
)
def test_ramp_colours_stay_in_gamut_and_nan_is_nodata(values, low, span):
    scale = ColorScale(low, low + span, nodata_color=(0.25, 0.5, 0.75))
    colors = scale(values)
    assert colors.shape == (len(values), 3)
    assert np.isfinite(colors).all() and (colors >= 0).all() and (colors <= 1).all()
    nan = np.isnan(np.asarray(values, dtype=float))
    np.testing.assert_allclose(colors[nan], np.tile([0.25, 0.5, 0.75], (nan.sum(), 1)))


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 10, allow_nan=False))
def test_brainpainter_formula_matches_its_definition(value):
    stops = np.array([[1, 1, 1], [1, 1, 0], [1, 0x91 / 255, 0], [1, 0, 0], [1, 0, 0]], dtype=float)
    v = min(value, len(stops) - 1.01)
    k = int(np.floor(v))
    expected = (1 - (v - k)) * stops[k] + (v - k) * stops[k + 1]
    np.testing.assert_allclose(brainpainter_colors([value], STOPS)[0], expected, atol=1e-12)
