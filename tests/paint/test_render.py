"""Pixel tests of rendered views of the bundled DK atlas."""

import numpy as np
import pytest

from cortico.exceptions import LimitExceededError
from cortico.paint import NAMED_VIEWS, render_view
from cortico.paint._renderer import get_renderer

from .conftest import (
    BLUE,
    GREEN,
    RED,
    centroid,
    draw_top_precentral_red,
    mask_of,
    project,
    white_except,
)

pytestmark = pytest.mark.gl
SIZE = (480, 360)


def _draw(atlas, view, colored, surface="pial", **options):
    return render_view(atlas, surface, white_except(atlas, colored), view, size=SIZE, **options)


def test_red_region_is_red_at_its_projected_centroid_and_nowhere_else(dk):
    region = dk.region("lh.superiorfrontal")
    image = _draw(dk, "top", {region.key: RED})
    red = mask_of(image, 0)
    mesh = dk.surface("pial", "lh")
    in_region = dk.vertex_regions("lh") == region.index
    pixels = project(dk, "pial", "top", SIZE, mesh.vertices[in_region])
    cx, cy = np.median(pixels, axis=0)
    # a border triangle takes one of its corners' colour: red may reach the far corners
    touching = mesh.faces[in_region[mesh.faces].any(axis=1)].ravel()
    reach = project(dk, "pial", "top", SIZE, mesh.vertices[touching])
    window = red[int(cy) - 2 : int(cy) + 3, int(cx) - 2 : int(cx) + 3]
    assert window.all()
    r, g, b = image[int(cy), int(cx), :3].astype(int)
    assert r > 150 and g < 80 and b < 80
    (x0, y0), (x1, y1) = reach.min(axis=0) - 1, reach.max(axis=0) + 1
    ys, xs = np.nonzero(red)
    assert xs.min() >= x0 and xs.max() <= x1 and ys.min() >= y0 and ys.max() <= y1
    assert red.sum() > 1500


# (view, [(region A, relation, region B)]): "left of" / "above" in the image
ORIENTATION = [
    (
        "cortical-outer-left-hemisphere",
        [
            ("lh.rostralmiddlefrontal", "left of", "lh.lateraloccipital"),
            ("lh.superiorparietal", "above", "lh.lateraloccipital"),
        ],
    ),
    (
        "cortical-outer-right-hemisphere",
        [
            ("rh.lateraloccipital", "left of", "rh.rostralmiddlefrontal"),
            ("rh.superiorparietal", "above", "rh.lateraloccipital"),
        ],
    ),
    (
        "cortical-inner-left-hemisphere",
        [
            ("lh.cuneus", "left of", "lh.medialorbitofrontal"),
            ("lh.paracentral", "above", "lh.medialorbitofrontal"),
        ],
    ),
    (
        "cortical-inner-right-hemisphere",
        [
            ("rh.medialorbitofrontal", "left of", "rh.cuneus"),
            ("rh.paracentral", "above", "rh.medialorbitofrontal"),
        ],
    ),
    (  # landscape images: anterior right (BrainPainter), left hemisphere up from above
        "top",
        [
            ("lh.superiorparietal", "left of", "lh.superiorfrontal"),
            ("lh.superiorparietal", "above", "rh.superiorparietal"),
        ],
    ),
    (
        "bottom",
        [
            ("lh.lingual", "left of", "lh.lateralorbitofrontal"),
            ("rh.lingual", "above", "lh.lingual"),
        ],
    ),
    (
        "camera:elevation=90,orientation=anterior-up",
        [
            ("lh.superiorfrontal", "above", "lh.superiorparietal"),
            ("lh.superiorparietal", "left of", "rh.superiorparietal"),
        ],
    ),
    (
        "camera:elevation=-90,orientation=anterior-up",
        [
            ("lh.lateralorbitofrontal", "above", "lh.lingual"),
            ("rh.lingual", "left of", "lh.lingual"),
        ],
    ),
    (
        "camera:elevation=90,orientation=anterior-left",
        [
            ("lh.superiorfrontal", "left of", "lh.superiorparietal"),
            ("rh.superiorparietal", "above", "lh.superiorparietal"),
        ],
    ),
    (
        "anterior",
        [
            ("rh.rostralmiddlefrontal", "left of", "lh.rostralmiddlefrontal"),
            ("lh.superiorfrontal", "above", "lh.rostralmiddlefrontal"),
        ],
    ),
    (
        "posterior",
        [
            ("lh.lateraloccipital", "left of", "rh.lateraloccipital"),
            ("lh.superiorparietal", "above", "lh.lateraloccipital"),
        ],
    ),
    (
        "subcortical-outer-left-hemisphere",
        [
            ("lh.Putamen", "left of", "lh.Cerebellum-Cortex"),
            ("lh.Putamen", "above", "lh.Cerebellum-Cortex"),
        ],
    ),
    (
        "subcortical-outer-right-hemisphere",
        [
            ("rh.Cerebellum-Cortex", "left of", "rh.Putamen"),
            ("rh.Putamen", "above", "rh.Cerebellum-Cortex"),
        ],
    ),
    (
        "subcortical-top",
        [
            ("lh.Putamen", "above", "rh.Putamen"),
            ("lh.Cerebellum-Cortex", "left of", "lh.Putamen"),
        ],
    ),
    (
        "subcortical-bottom",
        [
            ("rh.Putamen", "above", "lh.Putamen"),
            ("lh.Cerebellum-Cortex", "left of", "lh.Putamen"),
        ],
    ),
]


@pytest.mark.parametrize("view, relations", ORIENTATION, ids=[case[0] for case in ORIENTATION])
def test_orientation_of_every_view(dk, view, relations):
    keys = list(dict.fromkeys(key for a, _, b in relations for key in (a, b)))
    assert len(keys) <= 3
    channels = {key: channel for channel, key in enumerate(keys)}
    image = _draw(
        dk,
        view,
        {key: (RED, GREEN, BLUE)[channel] for key, channel in channels.items()},
    )
    centres = {key: centroid(mask_of(image, channel)) for key, channel in channels.items()}
    for a, relation, b in relations:
        axis = 0 if relation == "left of" else 1
        assert centres[a][axis] < centres[b][axis], (view, a, relation, b, centres)


def test_frontal_pole_toward_image_left_in_left_lateral_view(dk):
    image = _draw(
        dk,
        "cortical-outer-left-hemisphere",
        {"lh.frontalpole": RED, "lh.lateraloccipital": BLUE},
    )
    width = image.shape[1]
    assert centroid(mask_of(image, 0))[0] < width * 0.25
    assert centroid(mask_of(image, 2))[0] > width * 0.7


def test_transparent_background_has_alpha_zero_outside_the_brain(dk):
    opaque = _draw(dk, "cortical-outer-left-hemisphere", {}, background="white")
    clear = _draw(dk, "cortical-outer-left-hemisphere", {}, background="transparent")
    alpha = clear[..., 3]
    assert alpha[0, 0] == 0 and alpha[-1, -1] == 0 and alpha[0, -1] == 0
    assert alpha[SIZE[1] // 2, SIZE[0] // 2] == 255
    inside = alpha == 255
    from scipy.ndimage import binary_erosion

    interior = binary_erosion(inside, iterations=2)  # edge antialiasing mixes in the background
    np.testing.assert_array_equal(clear[interior][:, :3], opaque[interior][:, :3])
    assert (opaque[binary_erosion(alpha == 0, iterations=2)][:, :3] == 255).all()
    assert 0.3 < inside.mean() < 0.9


def test_background_colour_fills_outside(dk):
    image = _draw(dk, "top", {}, background="#102030")
    assert tuple(image[0, 0]) == (0x10, 0x20, 0x30, 255)


def test_nan_regions_get_the_nodata_colour(dk):
    table = white_except(dk, {})
    table[dk.region("lh.superiorfrontal").index] = np.nan
    image = render_view(dk, "pial", table, "top", size=SIZE, nodata_color=(0.0, 1.0, 0.0))
    green = mask_of(image, 1)
    assert green.sum() > 1500
    assert centroid(green)[1] < SIZE[1] / 2  # left hemisphere: up, anterior right


def test_medial_wall_has_its_own_grey(dk):
    image = render_view(
        dk,
        "pial",
        white_except(dk, {}),
        "cortical-inner-left-hemisphere",
        size=SIZE,
        medial_wall_color=(0.0, 0.0, 1.0),
    )
    blue = mask_of(image, 2)
    cx, cy = centroid(blue)
    assert blue.sum() > 3000 and abs(cx - SIZE[0] / 2) < SIZE[0] * 0.2


def test_recolouring_does_not_reupload_geometry(dk):
    _draw(dk, "cortical-outer-left-hemisphere", {"lh.precentral": RED})
    uploads = get_renderer().uploads
    image = _draw(dk, "cortical-outer-left-hemisphere", {"lh.precentral": BLUE})
    assert get_renderer().uploads == uploads
    assert mask_of(image, 2).sum() > 1000 and mask_of(image, 0).sum() == 0


def test_glass_brain_is_translucent_with_opaque_structures(dk):
    image = _draw(
        dk,
        "subcortical-outer-left-hemisphere",
        {"lh.Putamen": RED},
        background="transparent",
    )
    alpha = image[..., 3]
    glass_only = (alpha > 0) & (alpha < 128)
    assert glass_only.mean() > 0.15  # most of the hemisphere is faint glass
    assert mask_of(image, 0).sum() > 300  # the putamen shows through, in its colour
    assert (alpha[mask_of(image, 0)] == 255).mean() > 0.9  # opaque, but for antialiased edges


def test_inflated_top_view_is_not_squashed_and_hemispheres_do_not_overlap(dk):
    image = _draw(
        dk,
        "top",
        {"lh.superiorfrontal": RED, "rh.superiorfrontal": BLUE},
        surface="inflated",
    )
    left, right = mask_of(image, 0), mask_of(image, 2)
    assert np.nonzero(left)[0].max() < np.nonzero(right)[0].min()  # left hemisphere above the right
    brain = image[..., :3].min(axis=-1) < 250
    ys, xs = np.nonzero(brain)
    aspect = (xs.max() - xs.min()) / (ys.max() - ys.min())
    assert 1.0 < aspect < 1.6  # a brain from above is longer than wide, as in the mesh


def test_framing_does_not_depend_on_values(dk):
    a = _draw(dk, "top", {}, background="transparent")[..., 3] > 0
    b = _draw(dk, "top", {"lh.precentral": RED}, background="transparent")[..., 3] > 0
    np.testing.assert_array_equal(a, b)


def test_size_limit(dk):
    with pytest.raises(LimitExceededError, match="4096"):
        render_view(dk, "pial", white_except(dk, {}), "top", size=(5000, 100))


def test_any_size_renders_requested_shape(dk):
    image = render_view(
        dk,
        "pial",
        white_except(dk, {}),
        "camera:azimuth=45,elevation=30",
        size=(321, 123),
    )
    assert image.shape == (123, 321, 4)


def test_rendering_from_another_thread_gives_the_same_image(dk):
    import threading

    expected = _draw(dk, "top", {"lh.precentral": RED})
    results = []
    worker = threading.Thread(target=lambda: results.append(_draw(dk, "top", {"lh.precentral": RED})))
    worker.start()
    worker.join()
    np.testing.assert_array_equal(results[0], expected)


def test_a_view_showing_nothing_of_the_atlas_is_refused_naming_the_views_that_would():
    from cortico.atlases import load_atlas
    from cortico.exceptions import InputError

    aseg = load_atlas("aseg")
    table = np.ones((len(aseg.regions), 3))
    with pytest.raises(InputError, match="cortical-outer-left-hemisphere would show nothing") as caught:
        render_view(aseg, "pial", table, "cortical-outer-left-hemisphere", size=SIZE)
    useful = str(caught.value).split("Views that show it: ")[1].rstrip(".").split(", ")
    assert "subcortical-top" in useful and "subcortical-outer-left-hemisphere" in useful
    assert "top" not in useful  # the cortical top view shows nothing of aseg either
    assert [(p.field, p.message) for p in caught.value.details] == [
        ("views", "view 'cortical-outer-left-hemisphere' shows nothing of atlas 'aseg'")
    ]


def test_default_views_of_a_structures_only_atlas_are_subcortical(dk):
    from cortico.atlases import load_atlas
    from cortico.paint._render import default_views

    assert default_views(load_atlas("aseg")) == (
        "subcortical-outer-left-hemisphere",
        "subcortical-outer-right-hemisphere",
        "subcortical-top",
        "subcortical-bottom",
    )
    assert default_views(dk)[0] == "cortical-outer-left-hemisphere"


@pytest.mark.parametrize("antialias", ["fxaa", "msaa", "none"])
def test_antialias_modes_smooth_silhouettes_and_keep_colours(dk, antialias):
    image = render_view(
        dk,
        "pial",
        white_except(dk, {"lh.superiorfrontal": RED}),
        "top",
        size=SIZE,
        background="transparent",
        antialias=antialias,
    )
    alpha = image[..., 3]
    partial = ((alpha > 0) & (alpha < 255)).sum()
    if antialias == "none":
        assert partial == 0
    else:
        assert partial > 300  # soft edge pixels along the silhouette
    assert mask_of(image, 0).sum() > 1500


def _render_in_child(queue):
    from cortico.atlases import load_atlas

    try:
        _draw(load_atlas("dk"), "top", {})
    except Exception as exc:  # reported to the parent, which asserts on it
        queue.put(f"{type(exc).__name__}: {exc}")
    else:
        queue.put("rendered")


def test_child_forked_after_rendering_gets_a_clear_error_not_a_hang(dk):
    import multiprocessing

    _draw(dk, "top", {})  # the parent has used OpenGL
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_render_in_child, args=(queue,))
    child.start()
    message = queue.get(timeout=120)
    child.join(timeout=60)
    assert message.startswith("DependencyError: This process was forked")
    assert "'spawn'" in message


def test_spawned_worker_renders_the_same_image(dk):
    import multiprocessing

    expected = _draw(dk, "top", {"lh.precentral": RED})
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        image = pool.apply(draw_top_precentral_red)
    np.testing.assert_array_equal(image, expected)


@pytest.mark.parametrize("view", sorted(NAMED_VIEWS))
def test_every_named_view_fills_its_frame(dk, view):
    image = render_view(dk, "pial", white_except(dk, {}), view, size=SIZE, background="transparent")
    ys, xs = np.nonzero(image[..., 3] > 0)
    width, height = (xs.max() - xs.min() + 1) / SIZE[0], (ys.max() - ys.min() + 1) / SIZE[1]
    assert max(width, height) > 0.93  # tight in the limiting direction (4 % margin)
    if view in ("top", "bottom"):
        assert width >= 0.65  # along the longer image side, as BrainPainter's (anterior right)


def test_medial_wall_no_data_and_missing_value_are_three_distinct_colours(dk):
    table = white_except(dk, {})
    table[dk.region("lh.superiorfrontal").index] = np.nan  # missing value (its column is empty)
    table[dk.region("lh.precuneus").index] = np.nan  # no data (no column)
    image = render_view(
        dk,
        "pial",
        table,
        "cortical-inner-left-hemisphere",
        size=SIZE,
        medial_wall_color=(0.0, 0.0, 1.0),
        nodata_color=(0.0, 1.0, 0.0),
        missing_color=(1.0, 0.0, 0.0),
        nodata_regions=["lh.precuneus"],
    )
    for channel, key in ((0, "lh.superiorfrontal"), (1, "lh.precuneus")):
        centre = project(
            dk, "pial", "cortical-inner-left-hemisphere", SIZE, dk.surface("pial", "lh").vertices[dk.vertex_mask(key)]
        )
        x, y = np.median(centre, axis=0).astype(int)
        assert mask_of(image, channel)[y - 3 : y + 4, x - 3 : x + 4].mean() > 0.5, key
    assert mask_of(image, 2).sum() > 3000  # medial wall


def test_unpainted_cortex_shows_folding_in_two_greys(dk):
    grey = np.full((len(dk.regions), 3), 0.75)
    painted = render_view(dk, "pial", grey, "cortical-outer-left-hemisphere", size=SIZE).astype(float)
    unpainted = render_view(
        dk, "pial", np.full_like(grey, np.nan), "cortical-outer-left-hemisphere", size=SIZE, nodata_color=(0.75,) * 3
    ).astype(float)
    brain = painted[..., :3].min(axis=-1) < 250
    tone = unpainted[..., 1][brain] / np.maximum(painted[..., 1][brain], 1.0)
    assert (tone < 0.92).mean() > 0.08  # sulci (mostly hidden from the side): 0.78 grey vs 0.88 painted
    assert (tone > 1.05).mean() > 0.15  # gyri: the lighter grey


def test_glass_never_draws_over_the_structures(dk):
    from scipy.ndimage import binary_erosion

    image = _draw(dk, "subcortical-outer-left-hemisphere", {"lh.Putamen": RED}, background="transparent")
    putamen = binary_erosion(mask_of(image, 0), iterations=2)
    assert putamen.sum() > 300
    rgb = image[..., :3].astype(float)[putamen]
    assert (rgb[:, 1:].max(axis=1) < 0.2 * rgb[:, 0]).all()  # pure red: no grey glass line or veil
    assert (image[..., 3][putamen] == 255).mean() > 0.97  # opaque (FXAA may touch a few edge pixels)


def test_at_full_light_the_rendered_colour_equals_the_colour_bar(dk):
    color = np.array([0.2, 0.5, 0.7])
    image = render_view(
        dk,
        "pial",
        np.tile(color, (len(dk.regions), 1)),
        "cortical-outer-left-hemisphere",
        size=SIZE,
        background="transparent",
    ).astype(float)
    pixels = image[..., :3][image[..., 3] == 255] / 255  # inside the silhouette
    brightest = pixels[np.argsort(pixels.sum(axis=1))[-len(pixels) // 200 :]]  # the best-lit 0.5 %
    np.testing.assert_allclose(np.median(brightest, axis=0), color, atol=0.06)
    assert (pixels.sum(axis=1) / color.sum()).max() < 1.12  # never much brighter: a matte surface
