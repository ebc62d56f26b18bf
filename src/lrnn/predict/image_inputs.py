"""Inputs to `lrnn predict` for image models: an IDX images file, a .npy array, or image
files (PNG, JPEG, ...) of the trained size. Every file is opened once, as a regular file
(safe_io), and every error names it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..artifacts.safe_io import open_regular
from ..errors import InputError
from ..data.idx.early_file import read_idx
from ..data.idx.format import GZIP_MAGIC, IMAGES_NDIM

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm"}
NPY_MAGIC = b"\x93NUMPY"


def _kind(path: Path) -> str:
    with open_regular(path, "an IDX file, a .npy array or an image file") as f:
        head = f.read(6)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return "image"
    if head.startswith(NPY_MAGIC):
        return "npy"
    if head[:2] in (GZIP_MAGIC, b"\0\0"):
        return "idx"
    raise InputError(f"{path}: expected an IDX images file, a .npy array or image files, "
                     f"found neither")


def _npy(path: Path) -> np.ndarray:
    """The array of a .npy file, its header checked against the file's length before anything
    of the declared size is allocated; never a pickle."""
    import os

    from numpy.lib import format as npy_format

    with open_regular(path, "a .npy array") as f:
        try:
            version = npy_format.read_magic(f)
            read_header = {(1, 0): npy_format.read_array_header_1_0,
                           (2, 0): npy_format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(f"format version {version}, expected 1.0 or 2.0")
            shape, fortran, dtype = read_header(f)
        except (ValueError, OSError, SyntaxError, EOFError, TypeError) as exc:
            raise InputError(f"{path}: not a readable .npy array ({exc})") from None
        if dtype.hasobject:
            raise InputError(f"{path}: expected a numeric array, found dtype {dtype} (object "
                             f"arrays are pickles, never loaded)")
        if not (np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)):
            raise InputError(f"{path}: expected a numeric array, found dtype {dtype}")
        expected = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
        left = os.fstat(f.fileno()).st_size - f.tell()
        if expected != left:
            raise InputError(f"{path}: its header declares an array of shape {shape} "
                             f"({expected:,} bytes), found {left:,} bytes of data")
        data = f.read(expected)
    array = np.frombuffer(data, dtype=dtype)
    return array.reshape(shape[::-1]).T if fortran else array.reshape(shape)


def _image(path: Path, shape: tuple[int, int] | None) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with open_regular(path, "an image file") as f, Image.open(f) as img:
            pixels = np.asarray(img.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(f"{path}: not a readable image ({exc})") from None
    if shape is not None and pixels.shape != shape:
        raise InputError(f"{path}: expected a {shape[1]}x{shape[0]} image, found "
                         f"{pixels.shape[1]}x{pixels.shape[0]}")
    return pixels


def read_image_inputs(paths: list[str], shape: tuple[int, int],
                      prepare=None) -> tuple[np.ndarray, list[str] | None]:
    """(pixels [N, rows, cols] or [N, rows*cols], file names per row or None).
    `prepare(images, shape)` turns images of any size into the trained shape
    (--prepare-digits)."""
    files = [Path(p) for p in paths]
    kinds = [_kind(p) for p in files]
    if all(k == "image" for k in kinds):
        images = [_image(p, None if prepare else shape) for p in files]
        return np.stack(images) if prepare is None else prepare(images, shape), \
            [str(p) for p in files]
    if len(files) != 1:
        raise InputError("expected one IDX or .npy file, or any number of image files; "
                         f"found {len(files)} inputs of kinds {', '.join(sorted(set(kinds)))}")
    X = _npy(files[0]) if kinds[0] == "npy" else read_idx(files[0], IMAGES_NDIM)
    return (X if prepare is None else prepare(X, shape)), None
