"""Benchmark of the alignment core: time, peak memory and error of each preset.

Case: the synthetic curved cortical patch (``cortico.align._synthetic``) at
``--size``^3 voxels of 1 mm with a known affine + smooth warp (max ~5 mm) and 40
landmark pairs (+10 held out). Runs, each in a fresh child process so that its peak
memory is its own:

  * voluba            the cortical-voluba backend's exact antsRegistration settings (the peer);
  * fast              the default preset;
  * fast+landmarks    the default preset with the landmark B-spline field.

Prints dense error (mean/max), normal error (distance to the true depth isosurface),
tangential error, held-out landmark error, time (``import ants`` excluded: a worker
imports it once) and peak RSS (of the run or of its antsRegistration child, whichever
is larger), the landmark step's share of the registration time, and the ratios of
each run to the peer. CPU is shared: run it once, not in a loop.

Usage: python bench/align.py [--size 96] [--threads 2] [--skip-voluba]
"""

import argparse
import multiprocessing
import resource
import time


def run_case(size, threads, preset, landmarks):
    import os

    os.environ["ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS"] = str(threads)
    import ants  # noqa: F401  (imported once per worker process: not part of an alignment's time)
    import numpy as np

    from cortico.align import align_patch
    from cortico.align._synthetic import make_synthetic_patch, normal_error

    patch = make_synthetic_patch(size=size, voxel_size=1.0)
    pairs = patch.landmark_pairs if landmarks else None
    start = time.perf_counter()
    result = align_patch(
        patch.incoming_image, patch.incoming_depth, patch.template_depth, patch.matrix, pairs, preset=preset
    )
    seconds = time.perf_counter() - start
    _, points = patch.cortex_points(8.0)
    truth = patch.true_map(points)
    mapped = result.map_to_template(points)
    dense = np.linalg.norm(mapped - truth, axis=1)
    normal = normal_error(mapped, truth)
    tangential = np.sqrt(np.maximum(dense**2 - normal**2, 0))
    held_in = np.array([p["target_point"] for p in patch.held_out_pairs])
    held_template = np.array([p["source_point"] for p in patch.held_out_pairs])
    held = np.linalg.norm(result.map_to_template(held_in) - held_template, axis=1)
    affine_only = np.linalg.norm(points @ patch.matrix[:3, :3].T + patch.matrix[:3, 3] - truth, axis=1)
    return {
        "seconds": seconds,
        # antsRegistration runs in a forked child: the peak is the larger of the two processes'.
        "peak_mib": max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        )
        / 1024,
        "dense_mean": dense.mean(),
        "dense_max": dense.max(),
        "normal_mean": normal.mean(),
        "tangential_mean": tangential.mean(),
        "held_out_mean": held.mean(),
        "affine_only_mean": affine_only.mean(),
        "affine_only_max": affine_only.max(),
        "points": len(points),
        "timings": result.report["timings"],
        "boundary": result.report["landmarks"].get("boundary"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-voluba", action="store_true", help="skip the slow peer run")
    args = parser.parse_args(argv)
    cases = [("fast", "fast", False), ("fast+landmarks", "fast", True)]
    if not args.skip_voluba:
        cases.insert(0, ("voluba", "voluba", False))
    context = multiprocessing.get_context("spawn")
    results = {}
    for label, preset, landmarks in cases:
        with context.Pool(1) as pool:
            results[label] = pool.apply(run_case, (args.size, args.threads, preset, landmarks))
    first = next(iter(results.values()))
    print(f"synthetic patch {args.size}^3 at 1 mm, {args.threads} ITK threads, {first['points']} cortex points")
    print(f"affine only: dense error mean {first['affine_only_mean']:.2f} / max {first['affine_only_max']:.2f} mm")
    header = (
        f"{'run':<16}{'time s':>9}{'peak MiB':>10}{'dense mean/max':>17}{'normal':>8}{'tangent':>9}{'held-out':>10}"
    )
    print(header)
    for label, r in results.items():
        print(
            f"{label:<16}{r['seconds']:>9.1f}{r['peak_mib']:>10.0f}"
            f"{r['dense_mean']:>9.2f} /{r['dense_max']:>5.2f}{r['normal_mean']:>8.2f}"
            f"{r['tangential_mean']:>9.2f}{r['held_out_mean']:>10.2f}"
        )
    if "fast+landmarks" in results:
        timings = results["fast+landmarks"]["timings"]
        print(
            f"fast+landmarks: landmark step {timings['landmarks_s']:.1f} s = "
            f"{timings['landmarks_s'] / timings['registration_s']:.2f} x registration {timings['registration_s']:.1f} s"
            f" (boundary {results['fast+landmarks']['boundary']})"
        )
    if "voluba" in results:
        peer = results["voluba"]
        for label, r in results.items():
            if label != "voluba":
                print(
                    f"{label} / voluba: time x{r['seconds'] / peer['seconds']:.3f}, "
                    f"memory x{r['peak_mib'] / peer['peak_mib']:.2f}, "
                    f"normal error x{r['normal_mean'] / peer['normal_mean']:.2f}, "
                    f"dense error mean x{r['dense_mean'] / peer['dense_mean']:.3f}, "
                    f"max x{r['dense_max'] / peer['dense_max']:.3f}"
                )


if __name__ == "__main__":
    main()
