"""Benchmark of the painting engine: speed and peak memory, beside nilearn.

Setting (issue 4): warm process, full-resolution fsaverage (163,842 vertices and
327,680 triangles per hemisphere) pial surface, DK atlas, 1200x900 PNG; default
antialiasing (FXAA), and 4x MSAA for the single view.

Measures
  * one view: ``render_view`` of the left lateral view (mean of several, warm);
  * every BrainPainter view once (per-view CPU/wall);
  * a 10-view row through ``paint()`` (all 10 BrainPainter views, PNG files written);
  * a 100-row batch, extrapolated from ``--rows`` sampled rows through ``paint()``;
  * peak resident memory of the process.
Peer: nilearn's ``plot_surf_roi`` (matplotlib engine) on the same mesh, DK labels,
left lateral view, 1200x900 PNG, warm (second call timed), and the speed ratio.

CPU time is the process's (all threads: llvmpipe renders on both cores).
Also: one view including PNG encoding (target <= 0.15 CPU-s), and the first
subcortical view in a fresh process with an empty cache (mesh build; <= 10 CPU-s).

Usage: python bench/render.py [--rows 10] [--skip-peer]
"""

import argparse
import resource
import tempfile
import time

import numpy as np

SIZE = (1200, 900)


class Clock:
    """CPU (process, all threads) and wall seconds of a block."""

    def __enter__(self):
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.cpu, self.wall = (
            time.process_time() - self.cpu,
            time.perf_counter() - self.wall,
        )


def peak_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def random_table(atlas, rows, seed=0):
    import pandas as pd

    rng = np.random.default_rng(seed)
    keys = [region.key for region in atlas.regions]
    return pd.DataFrame(
        rng.uniform(1.5, 3.5, (rows, len(keys))),
        index=[f"s{i:03d}" for i in range(rows)],
        columns=keys,
    )


def bench_cortico(rows):
    from cortico.atlases import load_atlas
    from cortico.paint import BRAINPAINTER_VIEWS, paint, render_view

    atlas = load_atlas("dk")
    colors = np.array([region.color for region in atlas.regions])
    view_names = [view.name for view in BRAINPAINTER_VIEWS]
    for name in view_names:  # warm-up: context, uploads, scene framing
        render_view(atlas, "pial", colors, name, size=SIZE)
    figures = {}
    repeats = 5
    with Clock() as one:
        for _ in range(repeats):
            render_view(atlas, "pial", colors, "cortical-outer-left-hemisphere", size=SIZE)
    figures["view"] = (one.cpu / repeats, one.wall / repeats)
    print(
        f"cortico  one view (left lateral, warm, mean of {repeats}, fxaa): "
        f"{figures['view'][0]:.3f} CPU-s, {figures['view'][1]:.3f} wall-s"
    )
    from PIL import Image

    with tempfile.TemporaryDirectory() as out, Clock() as png:
        for index in range(repeats):
            image = render_view(atlas, "pial", colors, "cortical-outer-left-hemisphere", size=SIZE)
            Image.fromarray(np.ascontiguousarray(image[..., :3])).save(f"{out}/{index}.png", compress_level=3)
    figures["view_png"] = (png.cpu / repeats, png.wall / repeats)
    print(
        f"cortico  one view incl. PNG encoding (zlib 3): "
        f"{figures['view_png'][0]:.3f} CPU-s, {figures['view_png'][1]:.3f} wall-s"
    )
    render_view(
        atlas,
        "pial",
        colors,
        "cortical-outer-left-hemisphere",
        size=SIZE,
        antialias="msaa",
    )
    with Clock() as msaa:
        for _ in range(repeats):
            render_view(
                atlas,
                "pial",
                colors,
                "cortical-outer-left-hemisphere",
                size=SIZE,
                antialias="msaa",
            )
    figures["view_msaa"] = (msaa.cpu / repeats, msaa.wall / repeats)
    print(
        f"cortico  one view (left lateral, warm, mean of {repeats}, 4x msaa): "
        f"{figures['view_msaa'][0]:.3f} CPU-s, {figures['view_msaa'][1]:.3f} wall-s"
    )
    for name in view_names:
        with Clock() as clock:
            render_view(atlas, "pial", colors, name, size=SIZE)
        print(f"    {name:36s} {clock.cpu:.3f} CPU-s {clock.wall:.3f} wall-s")
    with tempfile.TemporaryDirectory() as out:
        table = random_table(atlas, 1)
        with Clock() as row:
            paint(table, atlas=atlas, views=view_names, out_dir=out)
    figures["row"] = (row.cpu, row.wall)
    print(
        f"cortico  10-view row via paint() incl. PNG files: {row.cpu:.2f} CPU-s, {row.wall:.2f} wall-s "
        f"({row.cpu / 10:.3f} CPU-s per view)"
    )
    with tempfile.TemporaryDirectory() as out:
        table = random_table(atlas, rows, seed=1)
        with Clock() as batch:
            paint(table, atlas=atlas, views=view_names, out_dir=out)
    scale = 100 / rows
    figures["batch"] = (batch.cpu * scale, batch.wall * scale)
    print(
        f"cortico  100-row batch x 10 views (extrapolated from {rows} rows): "
        f"{batch.cpu * scale:.0f} CPU-s, {batch.wall * scale:.0f} wall-s "
        f"({batch.wall / rows:.2f} wall-s per row)"
    )
    print(f"cortico  peak memory (RSS): {peak_mib():.0f} MiB")
    return atlas, figures


_FIRST_SUBCORTICAL = """
import time
t = time.process_time()
import numpy as np
from cortico.atlases import load_atlas
from cortico.paint import render_view
atlas = load_atlas("aseg")
render_view(atlas, "pial", np.ones((len(atlas.regions), 3)), "subcortical-top", size=(1200, 900))
print(time.process_time() - t)
"""


def bench_first_subcortical():
    """CPU-s of the first subcortical render in a fresh process with an empty cache (fresh install)."""
    import os
    import subprocess
    import sys

    with tempfile.TemporaryDirectory() as cache:
        environment = dict(os.environ, CORTICO_CACHE_DIR=cache)
        done = subprocess.run(
            [sys.executable, "-c", _FIRST_SUBCORTICAL], env=environment, capture_output=True, text=True, check=True
        )
    cpu = float(done.stdout.strip().splitlines()[-1])
    print(f"cortico  first subcortical view on a fresh install (mesh build, empty cache): {cpu:.1f} CPU-s")
    return cpu


def bench_nilearn(atlas):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from nilearn.plotting import plot_surf_roi

    mesh = atlas.surface("pial", "lh")
    labels = atlas.vertex_regions("lh").astype(float)
    labels[labels < 0] = np.nan

    def once(path):
        figure = plt.figure(figsize=(SIZE[0] / 100, SIZE[1] / 100), dpi=100)
        plot_surf_roi(
            (mesh.vertices.copy(), mesh.faces.copy()),
            roi_map=labels,
            hemi="left",
            view="lateral",
            engine="matplotlib",
            colorbar=False,
            figure=figure,
        )
        figure.savefig(path, dpi=100)
        plt.close(figure)

    with tempfile.TemporaryDirectory() as out:
        once(f"{out}/warm.png")
        with Clock() as clock:
            once(f"{out}/timed.png")
    print(f"nilearn  plot_surf_roi one view (left lateral, warm): {clock.cpu:.2f} CPU-s, {clock.wall:.2f} wall-s")
    return clock.cpu, clock.wall


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--rows",
        type=int,
        default=10,
        help="rows actually rendered for the 100-row batch",
    )
    parser.add_argument("--skip-peer", action="store_true", help="do not run nilearn")
    args = parser.parse_args()
    atlas, figures = bench_cortico(args.rows)
    first = bench_first_subcortical()
    cpu, wall = figures["view"]
    png_cpu = figures["view_png"][0]
    print(
        f"targets: <= 0.15 CPU-s per view incl. PNG: {png_cpu:.3f} {'OK' if png_cpu <= 0.15 else 'MISSED'}; "
        f"10-view row <= 5 s: {figures['row'][1]:.2f} {'OK' if figures['row'][1] <= 5 else 'MISSED'}; "
        f"first subcortical view <= 10 CPU-s: {first:.1f} {'OK' if first <= 10 else 'MISSED'}"
    )
    if not args.skip_peer:
        peer_cpu, peer_wall = bench_nilearn(atlas)
        ratio_cpu, ratio_wall = peer_cpu / cpu, peer_wall / wall
        print(
            f"speed ratio nilearn/cortico, one view (fxaa): {ratio_cpu:.1f}x CPU, {ratio_wall:.1f}x wall "
            f"(target >= 15x: {'OK' if ratio_cpu >= 15 else 'MISSED'})"
        )
        msaa_cpu, msaa_wall = figures["view_msaa"]
        print(
            f"speed ratio nilearn/cortico, one view (4x msaa): {peer_cpu / msaa_cpu:.1f}x CPU, "
            f"{peer_wall / msaa_wall:.1f}x wall"
        )
        print(f"peak memory after nilearn (RSS): {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
