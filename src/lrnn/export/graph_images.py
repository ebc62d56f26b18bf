"""The input of an image model: uint8 pixels [N, rows, cols], scaled inside the graph exactly as
inference.model_input scales them (float32 pixel times float32 1/255)."""

from __future__ import annotations

import numpy as np

from ._lrnn import PIXEL_SCALE
from .graph import BATCH, Graph

IMAGES = "images"


def image_features(g: Graph, state: dict) -> tuple[str, None]:
    """Adds the `images` input; returns float32 features [N, rows*cols] (in lrnn's order)."""
    T = g.onnx.TensorProto
    rows, cols = (int(n) for n in state["shape"])
    images = g.add_input(IMAGES, T.UINT8, [BATCH, rows, cols],
                         f"uint8 pixels 0-255, [N, {rows}, {cols}], as in MNIST's IDX files")
    flat = g.node("Reshape", [images, g.const([-1, rows * cols], "flat_shape", np.int64)],
                  "pixels")  # [N, rows, cols] -> [N, rows*cols]
    pixels = g.node("Cast", [flat], "pixels_f", to=T.FLOAT)
    scale = g.const([PIXEL_SCALE], "pixel_scale", np.float32)
    return g.node("Mul", [pixels, scale], "scaled"), None
