"""Images: kept as uint8 [N, rows*cols] (4x smaller than float32) and scaled to [0, 1] per
batch (models.to_model_input, inference.model_input)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError

PIXEL_SCALE = 1.0 / 255.0


def fit_images(image_shape: tuple[int, int]) -> dict[str, Any]:
    return {"kind": "image", "shape": list(image_shape)}


def transform_images(state: dict[str, Any], X, source: str = "input") -> np.ndarray:
    """uint8 pixels as they are; other numbers as float32 in [0, 1]."""
    rows, cols = state["shape"]
    X = np.asarray(X)
    if X.dtype.kind not in "uif":
        raise InputError(f"{source}: expected numeric pixels, found dtype {X.dtype}")
    if X.ndim not in (2, 3) or X.shape[1:] not in ((rows, cols), (rows * cols,)):
        raise InputError(f"{source}: expected images of {rows}x{cols} pixels, found an array of "
                         f"shape {tuple(X.shape)}")
    flat = X.reshape(len(X), rows * cols)  # [N, rows, cols] -> [N, rows*cols]
    if flat.dtype == np.uint8:
        return np.ascontiguousarray(flat)
    return _float_pixels(flat, source)


def _float_pixels(flat: np.ndarray, source: str) -> np.ndarray:
    """Non-uint8 pixels as float32 in [0, 1]: values up to 1 are taken as already scaled,
    larger ones (up to 255) as 0-255 intensities. The range is checked in the array's own
    type, before the cast (which would warn on values float32 cannot hold)."""
    if flat.size and flat.dtype.kind == "f" and not np.isfinite(flat).all():
        raise InputError(f"{source}: expected finite pixel values, found NaN or infinity")
    low, high = (float(flat.min()), float(flat.max())) if flat.size else (0.0, 0.0)
    if low < 0 or high > 255:
        raise InputError(f"{source}: expected pixel values in 0..255 (or 0..1), found "
                         f"{low:g}..{high:g}")
    values = flat.astype(np.float32)
    return values if high <= 1.0 else values * np.float32(PIXEL_SCALE)
