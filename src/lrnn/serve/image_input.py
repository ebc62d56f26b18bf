"""Images for an image model from JSON: each an H x W list of rows, or a flat list of H*W
values, 0..255. Whole numbers become uint8 pixels, as an IDX file or a PNG gives them to
`lrnn predict`; images with fractions are scaled to 0..1 as a .npy file's 0..255 pixels are.

With "prepare_digits", each image may have any size (a drawing on the page's canvas) and is
prepared as MNIST's digits were (preprocessing/digits.py) before the model sees it."""

from __future__ import annotations

import numpy as np

from ._lrnn import PIXEL_SCALE, InputError, prepare_digit
from .request_error import UNPROCESSABLE, RequestError

ROWS = "instances"
MAX_SIDE = 4096  # a drawing larger than this is not a digit


def _refuse(where: str, message: str) -> RequestError:
    return RequestError(UNPROCESSABLE, f"{where}: {message}")


def _as_array(image, where: str) -> np.ndarray:
    """One image's numbers, or an error naming the first cell that is not a number."""
    try:
        array = np.asarray(image)
    except ValueError:  # ragged rows
        lengths = sorted({len(r) if isinstance(r, list) else 1 for r in image})
        raise _refuse(where, f"expected rows of equal length, found lengths "
                             f"{', '.join(map(str, lengths[:5]))}") from None
    if array.dtype.kind in "iuf":
        return array
    cell = _first_bad_cell(image)
    found = _describe(_cell(image, cell)) if cell is not None else f"numbers of type {array.dtype}"
    raise _refuse(where + (cell or ""), f"expected a number from 0 to 255, found {found}")


def _first_bad_cell(image, path: str = "") -> str:
    if isinstance(image, list):
        for i, item in enumerate(image):
            found = _first_bad_cell(item, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    ok = isinstance(image, (int, float)) and not isinstance(image, bool)
    return None if ok else path


def _cell(image, path: str):
    for index in path.strip("[]").split("]["):
        if index:
            image = image[int(index)]
    return image


def _describe(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else repr(value)


def _check_values(array: np.ndarray, where: str) -> None:
    low, high = array.min(), array.max()
    if low < 0 or high > 255:
        bad = np.flatnonzero((array.ravel() < 0) | (array.ravel() > 255))[0]
        raise _refuse(where, f"expected pixel values from 0 to 255, found "
                             f"{array.ravel()[bad]:g}")


def _one_image(image, shape: tuple[int, int], where: str) -> np.ndarray:
    rows, cols = shape
    if not isinstance(image, list):
        raise _refuse(where, f"expected an image ({rows} lists of {cols} numbers, or "
                             f"{rows * cols} numbers), found {_describe(image)}")
    array = _as_array(image, where)
    if array.shape not in ((rows, cols), (rows * cols,)):
        found = "x".join(map(str, array.shape)) if array.ndim != 1 else f"{len(array)} numbers"
        raise _refuse(where, f"expected a {rows}x{cols} image ({rows} lists of {cols} numbers, "
                             f"or {rows * cols} numbers), found {found}")
    _check_values(array, where)
    return array.reshape(rows * cols)


def image_rows(images: list, shape: tuple[int, int]) -> np.ndarray:
    """[N, rows*cols]: uint8 when every value is a whole number, float otherwise."""
    try:  # the common case, in one numpy call: equal images of numbers
        array = np.asarray(images)
        fast = array.dtype.kind in "iuf" and array.shape[1:] in (shape, (shape[0] * shape[1],))
    except ValueError:
        fast = False
    if fast:
        array = array.reshape(len(images), -1)
        if array.size and (array.min() < 0 or array.max() > 255):
            for i, image in enumerate(array):
                _check_values(image, f"{ROWS}[{i}]")
    else:
        array = np.stack([_one_image(image, shape, f"{ROWS}[{i}]")
                          for i, image in enumerate(images)])
    if array.dtype.kind in "iu" or (array == np.round(array)).all():
        return array.astype(np.uint8)
    # 0..255 to 0..1 as the preprocessor scales a .npy file's pixels (then taken as they are)
    return array.astype(np.float32) * np.float32(PIXEL_SCALE)


def prepared_rows(images: list, shape: tuple[int, int]) -> np.ndarray:
    """uint8 [N, rows, cols]: each drawing, of any size, prepared as MNIST's digits were."""
    out = []
    for i, image in enumerate(images):
        where = f"{ROWS}[{i}]"
        if not isinstance(image, list) or not image or not isinstance(image[0], list):
            found = _describe(image) if not isinstance(image, list) else "a flat list"
            raise _refuse(where, f"expected a drawing as a list of rows of numbers, found {found}")
        array = _as_array(image, where)
        if array.ndim != 2 or max(array.shape) > MAX_SIDE:
            raise _refuse(where, f"expected rows of numbers at most {MAX_SIDE} long, found an "
                                 f"array of shape {'x'.join(map(str, array.shape))}")
        _check_values(array, where)
        try:
            out.append(prepare_digit(array, shape))
        except InputError as exc:
            raise _refuse(where, str(exc)) from None
    return np.stack(out)
