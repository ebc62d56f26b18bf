"""Read IDX files (the MNIST format), gzip-compressed or raw.

Every header field is checked, and the sizes the header declares are compared with the file's
real length before anything of that size is allocated: a lying header cannot make us allocate.
The file is read into bytes without numpy (read_payload), so that a read can start on a
thread while numpy itself is still being imported (early_file.py); read_idx views the bytes
as an array.
"""

from __future__ import annotations

import math
import os
import struct
import zlib
from pathlib import Path

from ...artifacts.safe_io import open_regular
from ...errors import InputError

# IDX element type code: (its name, numpy's name for its big-endian type, bytes per item)
ELEMENT_TYPES = {
    0x08: ("unsigned byte", "u1", 1),
    0x09: ("signed byte", "i1", 1),
    0x0B: ("short", ">i2", 2),
    0x0C: ("int", ">i4", 4),
    0x0D: ("float", ">f4", 4),
    0x0E: ("double", ">f8", 8),
}
IMAGES_NDIM = 3
LABELS_NDIM = 1
GZIP_MAGIC = b"\x1f\x8b"
# Deflate cannot expand data by more than about 1032:1, which bounds what a gzip file can hold.
MAX_DEFLATE_RATIO = 1032


class _Inflater:
    """The content of a gzip file (every member, as gzip does), inflated in one zlib call per
    read: zlib releases the GIL while it inflates, so a read on another thread runs beside
    the main thread's work (early_read.py). gzip.GzipFile inflates in small steps and takes
    the GIL back between them: on a thread beside `import torch` it was slower than reading
    after the import."""

    def __init__(self, compressed: bytes):
        self._member, self._input = zlib.decompressobj(wbits=31), compressed  # 31: gzip

    def read(self, size: int) -> bytes:
        parts = []
        while size > 0 and self._input:
            part = self._member.decompress(self._input, size)
            consumed = len(self._input) - len(self._member.unconsumed_tail)
            self._input = self._member.unconsumed_tail
            if self._member.eof:  # its CRC and length checked; the next member, if any
                self._input = self._member.unused_data
                self._member = zlib.decompressobj(wbits=31)
            elif not part and not consumed:
                break
            parts.append(part)
            size -= len(part)
        return b"".join(parts)

    def readinto(self, buffer: bytearray) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._input = b""


def _open(path: Path):
    """The file's binary stream and (kind, exact length, largest possible length) of its
    content; a regular file only (safe_io: never a FIFO or a device)."""
    f = open_regular(path, "an IDX file")
    size = os.fstat(f.fileno()).st_size
    head = f.read(2)
    f.seek(0)
    if head == GZIP_MAGIC:
        with f:
            compressed = f.read()
        exact = struct.unpack("<I", compressed[-4:])[0] if size >= 18 else None
        return _Inflater(compressed), ("gzip", exact, size * MAX_DEFLATE_RATIO)
    return f, ("raw", size, size)


def _read_header(f, path: Path, ndim: int, dtype: str) -> tuple[int, ...]:
    magic = f.read(4)
    if len(magic) < 4:
        raise InputError(f"{path}: expected an IDX header of at least 4 bytes, found "
                         f"{len(magic)} bytes")
    if magic[:2] != b"\0\0":
        raise InputError(f"{path}: expected an IDX magic number starting with 0x0000, found "
                         f"0x{magic.hex()} (not an IDX file)")
    code, dims = magic[2], magic[3]
    if code not in ELEMENT_TYPES:
        raise InputError(f"{path}: unknown IDX element type 0x{code:02X}")
    name, found, _ = ELEMENT_TYPES[code]
    if found != dtype:
        want = next(n for n, d, _ in ELEMENT_TYPES.values() if d == dtype)
        raise InputError(f"{path}: expected IDX element type {want}, found {name} (0x{code:02X})")
    if dims != ndim:
        raise InputError(f"{path}: expected {ndim} dimension(s), found {dims}")
    raw = f.read(4 * dims)
    if len(raw) < 4 * dims:
        raise InputError(f"{path}: truncated IDX header")
    return struct.unpack(f">{dims}I", raw)


def _check_length(path: Path, shape: tuple[int, ...], itemsize: int, length) -> int:
    """The payload size in bytes, after checking it against what the file can hold."""
    kind, exact, bound = length
    payload = math.prod(shape) * itemsize
    total = 4 + 4 * len(shape) + payload
    declared = f"the header declares {'x'.join(map(str, shape))} items ({total:,} bytes)"
    if kind == "raw" and total != exact:
        what = "truncated" if exact < total else "longer than its header says"
        raise InputError(f"{path}: file is {what}: {declared}, found {exact:,} bytes")
    if kind == "gzip" and (total > bound or (exact is not None and total % 2**32 != exact)):
        raise InputError(f"{path}: {declared}, but the compressed file holds "
                         f"{exact if exact is not None else 'fewer'} bytes (truncated or corrupt)")
    return payload


def read_idx(path: str | Path, ndim: int, dtype: str = "u1"):
    """The array stored in an IDX file, after checking magic, element type, ndim and length;
    `dtype` is the element type's name in ELEMENT_TYPES ("u1": unsigned bytes)."""
    return as_array(*read_payload(path, ndim, dtype), dtype)


def as_array(shape: tuple[int, ...], buffer: bytearray, dtype: str):
    """read_payload's bytes as a numpy array in native byte order."""
    import numpy as np

    array = np.frombuffer(buffer, dtype=dtype).reshape(shape)
    return array if array.dtype.itemsize == 1 else array.astype(array.dtype.newbyteorder("="))


def read_payload(path: str | Path, ndim: int, dtype: str) -> tuple[tuple[int, ...], bytearray]:
    """(shape, the data's bytes) of an IDX file, checked as read_idx says."""
    path = Path(path)
    itemsize = next(size for _, d, size in ELEMENT_TYPES.values() if d == dtype)
    stream, length = _open(path)
    try:
        with stream as f:
            shape = _read_header(f, path, ndim, dtype)
            payload = _check_length(path, shape, itemsize, length)
            buffer = bytearray(payload)
            got = f.readinto(buffer)
            if got != payload:
                raise InputError(f"{path}: truncated: expected {payload:,} bytes of data, "
                                 f"found {got:,}")
            if f.read(1):
                raise InputError(f"{path}: more data than the header declares")
    except zlib.error as exc:
        raise InputError(f"{path}: corrupt gzip data ({exc})") from None
    return shape, buffer


def read_images(path: str | Path):
    """uint8 images, shape [N, rows, cols]."""
    return read_idx(path, IMAGES_NDIM)


def read_labels(path: str | Path, n_classes: int):
    """int64 labels, shape [N], each in 0..n_classes-1."""
    import numpy as np

    labels = read_idx(path, LABELS_NDIM)
    bad = np.flatnonzero(labels >= n_classes)
    if bad.size:
        raise InputError(f"{path}: label {labels[bad[0]]} at index {bad[0]} is out of range: "
                         f"expected 0..{n_classes - 1}")
    return labels.astype(np.int64)


def read_pair(images_path: Path, labels_path: Path, n_classes: int) -> tuple:
    """Images and their labels, checking that they count the same items."""
    images = read_images(images_path)
    labels = read_labels(labels_path, n_classes)
    if len(images) != len(labels):
        raise InputError(f"{labels_path}: expected one label per image of {images_path.name} "
                         f"({len(images):,}), found {len(labels):,} labels")
    return images, labels
