"""Reader for FreeSurfer's GCSA surface classifier atlases (``*.gcs``).

Layout (big-endian; written by FreeSurfer's ``GCSAwrite``, read by ``GCSAread``):

- header: magic ``0xababcdcd``, number of inputs, icosahedron order of the
  classifier nodes, icosahedron order of the prior nodes;
- per input: type, name length, name, number of averages, flags;
- per classifier node (``10 * 4**ico + 2`` nodes): label count, training count,
  then per label: label, training count, mean and covariance as ASCII matrices
  (``"rows cols type\\n"`` then one text line per row);
- per prior node: label count, training count, then per label: label, prior
  probability (float) and four neighbourhood blocks, each a training count, a
  count ``k`` and ``k`` (label, probability) pairs;
- tagged extras: tag 1 is the colour table in the ``.annot`` binary format.

Labels are FreeSurfer annotation values ``r + g * 256 + b * 65536``.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cortico.exceptions import InputError

GCSA_MAGIC = 0xABABCDCD
_NEIGHBOUR_BLOCKS = 4
_TAG_COLORTABLE = 1


@dataclass(frozen=True)
class GcsaPriors:
    """The prior term of a GCSA atlas, reduced to the most likely label per node.

    Attributes
    ----------
    labels : ndarray of int64, shape (n_nodes,)
        Annotation value of the most likely label per prior node; -1 where the
        node has no label.
    probabilities : ndarray of float32, shape (n_nodes,)
        The prior probability of that label.
    ico_priors, ico_classifiers : int
        Icosahedron orders of the prior and classifier nodes.
    input_names : tuple of str
        Names of the classifier inputs (e.g. ``"mean_curvature"``).
    colortable : dict of int -> (str, (r, g, b))
        Annotation value -> name and 0..255 colour, from the embedded table.
    """

    labels: np.ndarray
    probabilities: np.ndarray
    ico_priors: int
    ico_classifiers: int
    input_names: tuple
    colortable: dict


class _Cursor:
    def __init__(self, data, name):
        self.data, self.name, self.pos = data, name, 0

    def fail(self, what):
        raise InputError(f"GCSA file {self.name}: {what} at byte {self.pos}.")

    def int(self):
        if self.pos + 4 > len(self.data):
            self.fail("unexpected end of file")
        value = int.from_bytes(self.data[self.pos : self.pos + 4], "big", signed=True)
        self.pos += 4
        return value

    def bytes(self, count):
        if count < 0 or self.pos + count > len(self.data):
            self.fail(f"bad length {count}")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def line(self):
        end = self.data.find(b"\n", self.pos)
        if end < 0:
            self.fail("unterminated text line")
        text = self.data[self.pos : end].decode("ascii", "replace")
        self.pos = end + 1
        return text

    def ascii_matrix(self):
        try:
            rows, cols, _ = (int(field) for field in self.line().split())
            return [[float(v) for v in self.line().split()] for _ in range(rows)]
        except ValueError:
            self.fail("malformed ASCII matrix")


def _ico_vertices(order):
    return 10 * 4**order + 2


def _read_colortable(cursor):
    version = cursor.int()
    table = {}
    if version >= 0:
        cursor.fail(f"unsupported colour table version {version}")
    n_entries = cursor.int()
    cursor.bytes(cursor.int())  # original file name
    for _ in range(cursor.int()):
        cursor.int()  # structure index
        name = cursor.bytes(cursor.int()).rstrip(b"\x00").decode("ascii", "replace")
        r, g, b, _ = (cursor.int() for _ in range(4))
        table[r + g * 256 + b * 65536] = (name, (r, g, b))
    if not table and n_entries:
        cursor.fail("empty colour table")
    return table


def read_gcsa_priors(path):
    """Read the per-node prior label of a FreeSurfer ``.gcs`` atlas.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    GcsaPriors
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"GCSA file {path.name}: cannot read ({exc.strerror}).") from None
    cursor = _Cursor(data, path.name)
    if cursor.int() & 0xFFFFFFFF != GCSA_MAGIC:
        cursor.fail("not a GCSA file (wrong magic number)")
    n_inputs, ico_classifiers, ico_priors = cursor.int(), cursor.int(), cursor.int()
    if not (0 < n_inputs < 16 and 0 <= ico_classifiers <= 7 and 0 <= ico_priors <= 7):
        cursor.fail("implausible header")
    input_names = []
    for _ in range(n_inputs):
        cursor.int()  # type
        input_names.append(cursor.bytes(cursor.int()).rstrip(b"\x00").decode("ascii", "replace"))
        cursor.int()  # number of averages
        cursor.int()  # flags
    for _ in range(_ico_vertices(ico_classifiers)):
        n_labels = cursor.int()
        cursor.int()
        for _ in range(n_labels):
            cursor.int()
            cursor.int()
            cursor.ascii_matrix()
            cursor.ascii_matrix()

    # The prior section is word-aligned from here on: read it as big-endian words.
    start = cursor.pos
    words = np.frombuffer(data, dtype=">i4", count=(len(data) - start) // 4, offset=start)
    native = words.astype("<i4")
    ints, floats = memoryview(native), memoryview(native.view("<f4"))
    n_nodes = _ico_vertices(ico_priors)
    labels = np.full(n_nodes, -1, dtype=np.int64)
    probabilities = np.zeros(n_nodes, dtype=np.float32)
    p = 0
    try:
        for node in range(n_nodes):
            n_labels = ints[p]
            p += 2
            best, best_prior = -1, -1.0
            for _ in range(n_labels):
                label, prior = ints[p], floats[p + 1]
                p += 2
                if prior > best_prior:
                    best, best_prior = label, prior
                for _ in range(_NEIGHBOUR_BLOCKS):
                    p += 2 + 2 * ints[p + 1]
            labels[node] = best
            probabilities[node] = max(best_prior, 0.0)
    except IndexError:
        cursor.pos = start + 4 * p
        cursor.fail("unexpected end of file in the prior nodes")
    cursor.pos = start + 4 * p
    colortable = {}
    while cursor.pos + 4 <= len(data):
        if cursor.int() == _TAG_COLORTABLE:
            colortable = _read_colortable(cursor)
            break
    return GcsaPriors(labels, probabilities, ico_priors, ico_classifiers, tuple(input_names), colortable)
