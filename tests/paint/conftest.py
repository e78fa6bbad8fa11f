"""Fixtures for painting tests: the bundled DK atlas and pixel helpers."""

import numpy as np
import pytest

from cortico.paint._scene import build_scene
from cortico.paint._views import get_view


@pytest.fixture(scope="session")
def dk():
    from cortico.atlases import load_atlas

    return load_atlas("dk")


def white_except(atlas, colored):
    """Colour table: every region white, except ``{region key: rgb}``."""
    table = np.ones((len(atlas.regions), 3))
    for key, color in colored.items():
        table[atlas.region(key).index] = color
    return table


RED, GREEN, BLUE = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)


def mask_of(image, channel):
    """Pixels clearly dominated by one channel (0 red, 1 green, 2 blue), shading allowed."""
    rgb = image[..., :3].astype(float)
    main = rgb[..., channel]
    others = np.delete(rgb, channel, axis=-1)
    return (main > 90) & (others < 0.55 * main[..., None]).all(axis=-1) & (image[..., 3] > 0)


def centroid(mask):
    """(x, y) pixel centroid of a boolean mask."""
    ys, xs = np.nonzero(mask)
    assert xs.size, "expected some pixels of this colour"
    return xs.mean(), ys.mean()


def project(atlas, surface, view, size, points):
    """Pixel (x, y) of world points as drawn by ``render_view``."""
    view = get_view(view)
    camera = build_scene(atlas, surface, view).camera(view, size[0] / size[1])
    homogeneous = np.hstack([points, np.ones((len(points), 1))])
    clip = homogeneous @ (camera.projection_matrix @ camera.view_matrix).T.astype(float)
    ndc = clip[:, :2] / clip[:, 3:4]
    x = (ndc[:, 0] + 1) / 2 * size[0]
    y = (1 - ndc[:, 1]) / 2 * size[1]
    return np.column_stack([x, y])


def draw_top_precentral_red():
    """Render in a fresh process (spawn pool target): top view, lh.precentral red."""
    from cortico.atlases import load_atlas
    from cortico.paint import render_view

    atlas = load_atlas("dk")
    colors = white_except(atlas, {"lh.precentral": RED})
    return render_view(atlas, "pial", colors, "top", size=(480, 360))


def icosphere(level, radius=50.0):
    """Vertices and counter-clockwise faces of a subdivided icosahedron."""
    t = (1 + 5**0.5) / 2
    vertices = np.array(
        [[-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0], [0, -1, t], [0, 1, t]]
        + [[0, -1, -t], [0, 1, -t], [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1]],
        dtype=float,
    )
    faces = np.array(
        [[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6]]
        + [[7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5], [2, 4, 11], [6, 2, 10]]
        + [[8, 6, 7], [9, 8, 1]]
    )
    vertices /= np.linalg.norm(vertices, axis=1, keepdims=True)
    for _ in range(level):
        edges = np.sort(np.concatenate([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]]), axis=1)
        unique, inverse = np.unique(edges, axis=0, return_inverse=True)
        middle = vertices[unique].mean(axis=1)
        middle /= np.linalg.norm(middle, axis=1, keepdims=True)
        m = len(vertices) + inverse.reshape(3, -1).T  # midpoints of edges 01, 12, 20 of each face
        vertices = np.vstack([vertices, middle])
        a, b, c = faces.T
        faces = np.vstack(
            [
                np.column_stack([a, m[:, 0], m[:, 2]]),
                np.column_stack([b, m[:, 1], m[:, 0]]),
                np.column_stack([c, m[:, 2], m[:, 1]]),
                m,
            ]
        )
    return vertices * radius, faces


def sphere_atlas(labels_of, level=6, colors=((1, 0, 0), (0, 0, 1))):
    """A one-hemisphere atlas on a sphere of radius 50, labelled by ``labels_of(unit vertices)``."""
    from cortico.atlases import Atlas, Mesh, Region

    vertices, faces = icosphere(level)
    labels = np.asarray(labels_of(vertices / 50.0), dtype=np.int32)
    regions = [Region(f"r{i}", "lh", "cortical", tuple(color), i) for i, color in enumerate(colors)]
    return Atlas(
        "sphere",
        "sphere",
        regions,
        surfaces={("pial", "lh"): Mesh.from_arrays(vertices, faces)},
        vertex_labels={"lh": labels},
        space="synthetic",
    )
