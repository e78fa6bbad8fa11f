"""Benchmark of cortico.atlases: first build and warm load of bundled atlases.

Prints, per atlas: the first build into an empty cache (surfaces, labels, aseg
meshes, DKT derivation), the warm load from the disk cache (new atlas object,
in-process memo cleared: load_atlas + all 8 surfaces + labels + all subcortical
meshes), and the peer: reading the same surfaces and annotations straight from
the FreeSurfer files with nibabel (no normals, no meshes), in the same process.

Run: python bench/atlases.py [--repeat N]
"""

import argparse
import os
import statistics
import tempfile
import time


def _touch_everything(atlas):
    count = 0
    for kind in atlas.surface_kinds:
        for hemi in atlas.hemis:
            count += atlas.surface(kind, hemi).n_vertices
    for hemi in atlas.hemis:
        count += int(atlas.vertex_regions(hemi).size)
    for region in atlas.regions_of("subcortical"):
        count += atlas.subcortical_mesh(region).n_vertices
    return count


def _peer_nibabel(annot):
    import nibabel.freesurfer as nifs

    from cortico.atlases._fsdata import fsaverage_file

    count = 0
    for hemi in ("lh", "rh"):
        for kind in ("pial", "white", "inflated"):
            vertices, _ = nifs.read_geometry(str(fsaverage_file(f"surf/{hemi}.{kind}")))
            count += len(vertices)
        if annot:
            labels, _, _ = nifs.read_annot(str(fsaverage_file(f"label/{hemi}.{annot}.annot")))
            count += labels.size
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm-load repetitions")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache:
        os.environ["CORTICO_CACHE_DIR"] = cache
        from cortico.atlases import _cache, load_atlas

        print(f"{'atlas':<10} {'first build s':>14} {'warm load s':>12} {'nibabel peer s':>15} {'warm/peer':>10}")
        for name, annot in (("dk", "aparc"), ("destrieux", "aparc.a2009s"), ("dkt", None), ("aseg", None)):
            start = time.perf_counter()
            _touch_everything(load_atlas(name))
            first = time.perf_counter() - start
            warm = []
            for _ in range(args.repeat):
                _cache._load.cache_clear()
                start = time.perf_counter()
                _touch_everything(load_atlas(name))
                warm.append(time.perf_counter() - start)
            peer = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                _peer_nibabel(annot)
                peer.append(time.perf_counter() - start)
            w, p = statistics.median(warm), statistics.median(peer)
            print(f"{name:<10} {first:>14.2f} {w:>12.3f} {p:>15.3f} {w / p:>10.2f}")
        size = sum(
            os.path.getsize(os.path.join(cache, "atlases", f)) for f in os.listdir(os.path.join(cache, "atlases"))
        )
        print(f"cache size: {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
