"""Benchmark of the image store: storing an upload and serving it back.

Case: a smooth ``--size``^3 float32 volume, gzipped. Each run in a fresh child process
(its peak memory is its own):

  * peer          nibabel loads the whole volume and neuroglancer-scripts converts it
                  (``volume_reader.volume_file_to_precomputed``-style, what Chumni-like
                  services do), no checks;
  * store         ``ImageStore.add_file``: streamed header/gzip/size checks, the
                  NiftiExtra, the precomputed copy, the database row;
  * download      the stored .nii.gz served as raw .nii (decompressed on the fly)
                  through the Flask route, read to the end.

Prints seconds, peak RSS and the ratio of each run to the peer. CPU is shared: run it
once, not in a loop.

Usage: python bench/image_store.py [--size 256]
"""

import argparse
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path


def make_volume(size, folder):
    import nibabel as nib
    import numpy as np

    i, j, k = np.indices((size, size, size), dtype=np.float32)
    data = (np.sin(i / 7) + np.cos(j / 11) + k / size).astype(np.float32)
    path = Path(folder) / "volume.nii.gz"
    nib.save(nib.Nifti1Image(data, np.eye(4)), path)
    return path


def run_peer(path, folder):
    import logging

    import nibabel as nib
    from neuroglancer_scripts import dyadic_pyramid, precomputed_io, volume_reader
    from neuroglancer_scripts.downscaling import get_downscaler
    from neuroglancer_scripts.file_accessor import FileAccessor

    logging.getLogger("neuroglancer_scripts").setLevel(logging.ERROR)
    image = nib.load(path)
    size = [int(s) for s in image.shape]
    info = {
        "type": "image",
        "num_channels": 1,
        "data_type": "float32",
        "scales": [{"encoding": "raw", "size": size, "resolution": [1e6] * 3, "voxel_offset": [0, 0, 0]}],
    }
    dyadic_pyramid.fill_scales_for_dyadic_pyramid(info, target_chunk_size=64)
    writer = precomputed_io.get_IO_for_new_dataset(info, FileAccessor(str(Path(folder) / "peer"), gzip=False))
    volume_reader.nibabel_image_to_precomputed(image, writer, load_full_volume=True)
    dyadic_pyramid.compute_dyadic_scales(writer, get_downscaler("average", info))


def run_store(path, folder):
    from cortico.db import Database, upgrade_schema
    from cortico.db.accounts import create_user
    from cortico.db.image_store import ImageStore

    url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
    upgrade_schema(url)
    db = Database(url)
    with db.session() as session:
        owner = create_user(session, "bench").id
    ImageStore(db, Path(folder) / "storage", {"IMAGE_MAX_UNCOMPRESSED_BYTES": 8 << 30}).add_file(
        owner, path, "volume.nii.gz"
    )


def run_download(path, folder):
    from cortico.db.accounts import create_token, create_user
    from cortico.web import create_app

    app = create_app({"INSTANCE_PATH": str(Path(folder) / "instance")})
    from cortico.db import upgrade_schema

    upgrade_schema(app.config["DATABASE_URL"])
    with app.extensions["cortico.db"].session() as session:
        owner = create_user(session, "bench").id
        token = create_token(session, "bench")
    from cortico.web._uploads import image_store

    with app.app_context():
        image_store().add_file(owner, path, "volume.nii.gz")
    client = app.test_client()
    start = time.perf_counter()
    response = client.get(
        "/image-service/download/volume.nii", headers={"Authorization": f"Bearer {token}"}, buffered=False
    )
    total = sum(len(chunk) for chunk in response.response)
    return time.perf_counter() - start, total


def child(name, path, folder, queue):
    start = time.perf_counter()
    extra = {"peer": run_peer, "store": run_store, "download": run_download}[name](path, folder)
    seconds = time.perf_counter() - start
    if isinstance(extra, tuple):
        seconds, _ = extra
    queue.put((seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="cortico-bench-") as folder:
        path = make_volume(args.size, folder)
        print(f"volume {args.size}^3 float32, {path.stat().st_size / 2**20:.1f} MiB gzipped")
        results = {}
        for name in ("peer", "store", "download"):
            queue = context.Queue()
            process = context.Process(target=child, args=(name, str(path), tempfile.mkdtemp(dir=folder), queue))
            process.start()
            results[name] = queue.get()
            process.join()
        peer_seconds, peer_memory = results["peer"]
        for name, (seconds, memory) in results.items():
            print(
                f"{name:9s} {seconds:7.2f} s  {memory:7.0f} MiB peak  "
                f"(x{seconds / peer_seconds:.2f} time, x{memory / peer_memory:.2f} memory of the peer)"
            )


if __name__ == "__main__":
    main()
