"""Benchmark of the depth engine: speed, peak memory and accuracy, beside a peer.

Cases (depth.md, "Speed"):
  * sphere128  spherical shell r 6-9 mm at 0.2 mm (128^3, 269k cortex voxels), warm;
  * large      the same shell at 0.06 mm (~10^7 cortex voxels), in a child process
               so its peak memory is its own.
Peer: nighres-style volume-preserving layering (cbstools ``volumetric_layering``
through the ``crashs-cbstools-bindings`` wheel, no Java) on the same 128^3 sphere,
fed signed distances of the same voxelised boundaries. Prints both RMS errors
against the closed form and the time ratio.

Usage: python bench/depth.py [--skip-large] [--skip-peer]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time

import numpy as np

OUTER, INNER = 9.0, 6.0


def sphere_labels(n, h):
    """Labels 0/100/200 of the shell, built slab by slab to keep memory low."""
    c = (np.arange(n) - (n - 1) / 2) * h
    yz = c[:, None] ** 2 + c[None, :] ** 2
    labels = np.zeros((n, n, n), dtype=np.int16)
    for i in range(n):
        r = np.sqrt(c[i] ** 2 + yz)
        labels[i][r < OUTER] = 100
        labels[i][r < INNER] = 200
    return labels


def truth(r):
    return (OUTER**3 - r**3) / (OUTER**3 - INNER**3)


def cortex_errors(depth, labels, h, chunk=4_000_000):
    """RMS and max error over cortex voxels, in chunks (no full-size radius grid)."""
    n = labels.shape[0]
    indices = np.flatnonzero(labels == 100)
    total, worst, undefined = 0.0, 0.0, 0
    flat_depth = depth.reshape(-1)
    for start in range(0, indices.size, chunk):
        part = indices[start : start + chunk]
        ijk = np.unravel_index(part, labels.shape)
        r = np.sqrt(sum(((a - (n - 1) / 2) * h) ** 2 for a in ijk))
        diff = flat_depth[part] - truth(r)
        undefined += int(np.count_nonzero(np.isnan(diff)))
        total += float(np.nansum(diff**2))
        worst = max(worst, float(np.nanmax(np.abs(diff))))
    return np.sqrt(total / indices.size), worst, undefined, indices.size


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(n, h, queue=None):
    from cortico.depth import compute_depth

    labels = sphere_labels(n, h)
    rss_before = peak_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    result = compute_depth(labels, (h, h, h))
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    rms, worst, undefined, count = cortex_errors(result.equivolumetric, labels, h)
    figures = {
        "n": n,
        "h": h,
        "cortex_voxels": count,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "load": os.getloadavg()[0],
        "stages": result.details["seconds"],
        "sweeps": result.details["laplace_sweeps"],
        "rms": rms,
        "max": worst,
        "undefined": undefined,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss_before,
    }
    if queue is not None:
        queue.put(figures)
    return figures


def signed_distance(mask):
    """Signed distance in voxels to the boundary between voxels (negative inside)."""
    from scipy import ndimage

    inside = ndimage.distance_transform_edt(mask) - 0.5
    outside = ndimage.distance_transform_edt(~mask) - 0.5
    return np.where(mask, -inside, outside).astype(np.float32)


def sphere_radius(n, h):
    c = (np.arange(n) - (n - 1) / 2) * h
    return np.sqrt(c[:, None, None] ** 2 + c[None, :, None] ** 2 + c[None, None, :] ** 2)


def run_peer(labels, h, inner, outer):
    """cbstools volume-preserving layering from inner (white) and outer (pial) levelsets."""
    import crashs_cbstools_bindings as cbs

    started = time.perf_counter()
    with native_stdout_silenced():
        layered = cbs.volumetric_layering(inner, outer, (h, h, h), n_layers=10, method="volume-preserving")
    seconds = time.perf_counter() - started
    # cbstools' depth is 0 on the inner (white) boundary and 1 on the outer (pial) one.
    depth = 1.0 - layered["depth"].astype(np.float64)
    rms, worst, undefined, _ = cortex_errors(depth, labels, h)
    return {"seconds": seconds, "rms": rms, "max": worst, "undefined": undefined}


class native_stdout_silenced:
    """Send file descriptor 1 to /dev/null: the native library logs every iteration."""

    def __enter__(self):
        sys.stdout.flush()
        self.saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)

    def __exit__(self, *exc):
        os.dup2(self.saved, 1)
        os.close(self.saved)


def fmt(figures):
    stages = ", ".join(f"{k} {v:.2f}" for k, v in figures["stages"].items() if k != "total")
    return (
        f"{figures['n']}^3 at {figures['h']} mm: {figures['cortex_voxels']:,} cortex voxels, "
        f"{figures['seconds']:.2f} s ({stages}; {figures['sweeps']} SOR sweeps; "
        f"CPU {figures['cpu_seconds']:.1f} s; machine load {figures['load']:.1f}), "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB "
        f"(peak before the call, labels built: {figures['rss_before_mb']:.0f} MB), "
        f"RMS {figures['rms']:.4f}, max {figures['max']:.4f}, undefined {figures['undefined']}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-large", action="store_true", help="skip the ~10^7-voxel case")
    parser.add_argument("--skip-peer", action="store_true", help="skip cbstools layering")
    args = parser.parse_args()

    run_case(48, 0.5)  # compile or load the numba kernels
    ours = run_case(128, 0.2)
    print(f"cortico   {fmt(ours)}")
    print("  targets: <= 5 s warm on 2 cores; RMS <= 0.015, max <= 0.06")

    if not args.skip_peer:
        labels = sphere_labels(128, 0.2)
        r = sphere_radius(128, 0.2)
        inputs = {
            "levelsets of the same voxelised labels": (signed_distance(labels == 200), signed_distance(labels >= 100)),
            "exact analytic levelsets (favours the peer)": (
                ((r - INNER) / 0.2).astype(np.float32),
                ((r - OUTER) / 0.2).astype(np.float32),
            ),
        }
        for name, (inner, outer) in inputs.items():
            peer = run_peer(labels, 0.2, inner, outer)
            print(
                f"cbstools  volumetric_layering (volume-preserving), {name}: "
                f"{peer['seconds']:.1f} s, RMS {peer['rms']:.4f}, max {peer['max']:.4f}"
            )
            print(
                f"  ratio: cbstools / cortico time {peer['seconds'] / ours['seconds']:.1f}x; "
                f"RMS cortico {ours['rms']:.4f} vs cbstools {peer['rms']:.4f}"
            )

    if not args.skip_large:
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        child = context.Process(target=run_case, args=(320, 0.06, queue))
        child.start()
        large = queue.get()
        child.join()
        print(f"cortico   {fmt(large)}")
        print(
            "  targets: <= 180 s and <= 2048 MB peak on 2 cores "
            "(peak RSS includes the child's interpreter, numba and the input labels)"
        )


if __name__ == "__main__":
    main()
