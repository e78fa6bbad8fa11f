"""Read a possibly gzipped file as a bounded stream of uncompressed bytes."""

import zlib
from collections.abc import Iterator

from cortico.exceptions import InputError

GZIP_MAGIC = b"\x1f\x8b"
_READ_SIZE = 1 << 20
# Most uncompressed bytes produced from one step, so a gzip bomb never fills memory.
_MAX_STEP = 4 << 20


def is_gzip(first_bytes):
    """Whether bytes start with the gzip magic number."""
    return first_bytes[:2] == GZIP_MAGIC


def iter_uncompressed(path, limit):
    """Yield the uncompressed content of a .nii or .nii.gz file piece by piece.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    limit : int
        Most uncompressed bytes accepted; reading stops with an InputError as soon as
        the content grows past it.

    Yields
    ------
    bytes

    Raises
    ------
    InputError
        Corrupt gzip data (bad CRC or length check), a truncated gzip stream, or more
        content than ``limit``.
    """
    with open(path, "rb") as stream:
        first = stream.read(_READ_SIZE)
        pieces = _gunzip(first, stream) if is_gzip(first) else _raw(first, stream)
        total = 0
        for piece in pieces:
            total += len(piece)
            if total > limit:
                raise InputError(
                    f"file holds more than the {limit} bytes its NIfTI header declares "
                    "(a gzip bomb or trailing garbage)"
                )
            yield piece


def _raw(first, stream):
    piece = first
    while piece:
        yield piece
        piece = stream.read(_READ_SIZE)


def _gunzip(first, stream):
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    data = first
    while data:
        try:
            while data:
                if decompressor.eof:
                    if not data.strip(b"\0"):
                        break  # zero padding after the last member
                    # Concatenated gzip members form one valid stream.
                    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                out = decompressor.decompress(data, _MAX_STEP)
                if out:
                    yield out
                data = decompressor.unused_data if decompressor.eof else decompressor.unconsumed_tail
        except zlib.error as exc:
            raise InputError(f"corrupt gzip data: {exc}") from None
        data = stream.read(_READ_SIZE)
    if not decompressor.eof:
        raise InputError("truncated gzip file: it ends before the end of its compressed data")


def uncompressed_prefix(first_bytes):
    """As much uncompressed content as a file's first bytes give (for preflight)."""
    if not is_gzip(first_bytes):
        return bytes(first_bytes)
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        return decompressor.decompress(bytes(first_bytes), _MAX_STEP)
    except zlib.error as exc:
        raise InputError(f"corrupt gzip data: {exc}") from None


def iter_encoded(path, compressed, limit) -> Iterator[bytes]:
    """Yield a stored .nii/.nii.gz file re-encoded for download, piece by piece.

    Parameters
    ----------
    path : str or os.PathLike
        The stored file (checked on upload).
    compressed : bool
        True for a .nii.gz download, False for a raw .nii.
    limit : int
        Most uncompressed bytes to produce (the stored volume's checked size).

    Yields
    ------
    bytes
    """
    with open(path, "rb") as stream:
        stored_gzip = is_gzip(stream.read(2))
    if stored_gzip == compressed:
        with open(path, "rb") as stream:
            while piece := stream.read(_READ_SIZE):
                yield piece
        return
    if not compressed:
        yield from iter_uncompressed(path, limit)
        return
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for piece in iter_uncompressed(path, limit):
        out = compressor.compress(piece)
        if out:
            yield out
    yield compressor.flush()
