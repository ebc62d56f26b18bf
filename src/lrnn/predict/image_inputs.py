"""Inputs to `lrnn predict` for image models: an IDX images file, a .npy array, or image
files (PNG, JPEG, ...) of the trained size."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..data.idx.format import GZIP_MAGIC, IMAGES_NDIM, read_idx

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm"}
NPY_MAGIC = b"\x93NUMPY"


def _kind(path: Path) -> str:
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir():
        raise InputError(f"{path}: expected a file, found a directory")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return "image"
    with open(path, "rb") as f:
        head = f.read(6)
    if head.startswith(NPY_MAGIC):
        return "npy"
    if head[:2] in (GZIP_MAGIC, b"\0\0"):
        return "idx"
    raise InputError(f"{path}: expected an IDX images file, a .npy array or image files, "
                     f"found neither")


def _npy(path: Path) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)  # never run code from a file
    except ValueError as exc:
        raise InputError(f"{path}: not a plain numeric .npy array ({exc})") from None
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise InputError(f"{path}: expected a numeric array, found dtype {array.dtype}")
    return array


def _image(path: Path, shape: tuple[int, int] | None) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            pixels = np.asarray(img.convert("L"), dtype=np.uint8)
    except (UnidentifiedImageError, OSError) as exc:
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
