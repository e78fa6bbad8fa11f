"""Benchmark of the template meshes: the same atlas on fsaverage, fsaverage6, fsaverage5.

Prints, per mesh: vertices per hemisphere, the warm render time of one view
(``render_view``, left lateral, 800x600, median of --repeat), and the size of the
decimated 3D-view download of one painted row (``painted_mesh_bytes``); ratios to
fsaverage (the peer) in the same process.

Run: python bench/atlas_meshes.py [--atlas yeo7] [--repeat 5]
"""

import argparse
import statistics
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--atlas", default="yeo7")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from cortico.atlases import load_atlas
    from cortico.paint import painted_mesh_bytes, preview_geometry, render_view

    figures = {}
    for mesh in ("fsaverage", "fsaverage6", "fsaverage5"):
        atlas = load_atlas(args.atlas, mesh=mesh)
        colors = np.random.default_rng(0).random((len(atlas.regions), 3))
        render_view(atlas, "pial", colors, "cortical-outer-left-hemisphere", size=(800, 600))  # warm up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            render_view(atlas, "pial", colors, "cortical-outer-left-hemisphere", size=(800, 600))
            times.append(time.perf_counter() - start)
        download = len(painted_mesh_bytes(preview_geometry(atlas, "pial"), atlas, colors, "#9e9e9e", "#7f7f7f"))
        figures[mesh] = (atlas.surface("pial", "lh").n_vertices, statistics.median(times), download)
    peer = figures["fsaverage"]
    for mesh, (vertices, seconds, download) in figures.items():
        print(
            f"{args.atlas} on {mesh:<10} {vertices:>7} vertices/hemi  render {seconds * 1000:6.1f} ms "
            f"({seconds / peer[1]:.2f}x)  3D download {download / 1e6:5.2f} MB ({download / peer[2]:.2f}x)"
        )


if __name__ == "__main__":
    main()
