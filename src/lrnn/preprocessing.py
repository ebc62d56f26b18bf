"""Preprocessor: fitted on the training split only, applied to anything later; its state is
plain JSON saved in model.json.

Images stay uint8 in memory (4x smaller than float32) and are scaled to [0, 1] per batch
(models.to_model_input, inference.model_input); tables are standardized once (zero-variance
columns are left unscaled). numpy only: `lrnn predict` never imports torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InputError

PIXEL_SCALE = 1.0 / 255.0


class Preprocessor:
    def __init__(self, state: dict[str, Any]):
        self.state = state

    @classmethod
    def fit(cls, X: np.ndarray, image_shape: tuple[int, int] | None) -> "Preprocessor":
        if image_shape is not None:
            return cls({"kind": "image", "shape": list(image_shape)})
        mean = X.mean(axis=0, dtype=np.float64)
        std = X.std(axis=0, dtype=np.float64)
        std[std == 0] = 1.0  # a constant column stays 0 after centering instead of NaN
        return cls({"kind": "standardize", "mean": mean.tolist(), "std": std.tolist()})

    @property
    def kind(self) -> str:
        return self.state["kind"]

    @property
    def n_features(self) -> int:
        if self.kind == "image":
            rows, cols = self.state["shape"]
            return rows * cols
        return len(self.state["mean"])

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Rows as stored in memory: images uint8 [N, rows*cols] (or float32 in [0, 1] when
        given as floats), tables standardized float32 [N, F]."""
        if self.kind == "image":
            return self._images(X)
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise InputError(f"expected rows of {self.n_features} features, found shape "
                             f"{tuple(X.shape)}")
        mean = np.asarray(self.state["mean"])
        std = np.asarray(self.state["std"])
        return ((X - mean) / std).astype(np.float32)

    def _images(self, X: np.ndarray) -> np.ndarray:
        rows, cols = self.state["shape"]
        X = np.asarray(X)
        if X.ndim not in (2, 3) or X.shape[1:] not in ((rows, cols), (rows * cols,)):
            raise InputError(f"expected images of {rows}x{cols} pixels, found an array of shape "
                             f"{tuple(X.shape)}")
        flat = X.reshape(len(X), rows * cols)  # [N, rows, cols] -> [N, rows*cols]
        if flat.dtype == np.uint8:
            return np.ascontiguousarray(flat)
        return _float_pixels(flat)

    def to_json(self) -> dict[str, Any]:
        return dict(self.state)


def _float_pixels(flat: np.ndarray) -> np.ndarray:
    """Non-uint8 pixels as float32 in [0, 1]: values up to 1 are taken as already scaled,
    larger ones (up to 255) as 0-255 intensities."""
    values = flat.astype(np.float32)
    if values.size and not np.isfinite(values).all():
        raise InputError("expected finite pixel values, found NaN or infinity")
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if low < 0 or high > 255:
        raise InputError(f"expected pixel values in 0..255 (or 0..1), found {low:g}..{high:g}")
    return values if high <= 1.0 else values * np.float32(PIXEL_SCALE)
