"""Many floats written as Python's "%.6g" writes them, at numpy speed.

Why not "%.6g" % value: `lrnn predict` on MNIST's 10,000 test images writes 100,000
probabilities, and formatting them one by one was ~45 ms, the largest part of the command
after Python's and numpy's imports (~0.22 s in all). Here the digits are worked out for the
whole array at once and laid into a byte matrix (~6 ms). Every value comes out as the same text
as "%.6g" % value: where the array arithmetic cannot be sure of the rounding (a value within
1e-6 of a rounding tie at its sixth digit), and for NaN, infinities and
magnitudes beyond 1e±280, the value is formatted by Python instead.

The result is a [N, WIDTH] uint8 matrix of ASCII, each value left-aligned and padded with
NUL bytes, which tables.py joins into rows by dropping the NULs."""

from __future__ import annotations

import numpy as np

from .words import three_digit_words

WIDTH = 13  # the longest "%.6g" of a float: "-1.23457e-308"
PAD = 0  # the filler byte after each value's text
_TIE_MARGIN = 1e-6  # the scaled value's distance from x.5 below which Python decides
_SAFE_EXPONENTS = range(-280, 281)  # where 10**k scaling stays exact to ~2 ulps

# A value's characters are picked from its own 16-byte alphabet, four 4-byte words: its first
# three digits and ".", its last three and "0", "e-+" and NUL, its exponent's three digits and
# NUL. Built a word at a time from tables of 1,000 words, it costs four 1-D gathers.
_DIGITS = (0, 1, 2, 4, 5, 6)
_DOT, _ZERO, _E, _MINUS, _PLUS, _NUL, _X0, _X1, _X2 = 3, 7, 8, 9, 10, 11, 12, 13, 14
_ALPHABET_SIZE = 16


def _layouts() -> tuple[np.ndarray, np.ndarray]:
    """(layouts, index): every "%.6g" layout as [WIDTH] alphabet indices, and its number at
    index[negative, column, significant digits - 1]. Column: exponent + 4 for fixed notation
    (exponents -4 to 5); for exponent notation 10 + 2 * (3-digit exponent) + (exponent >= 0)."""
    table, index = [], np.zeros((2, 14, 6), dtype=np.intp)
    for negative in (0, 1):
        for significant in range(1, 7):
            for exponent in range(-4, 6):
                index[negative, exponent + 4, significant - 1] = len(table)
                table.append(_fixed(negative, exponent, significant))
            for digits in (2, 3):
                for sign in (_MINUS, _PLUS):
                    index[negative, 10 + 2 * (digits == 3) + (sign == _PLUS),
                          significant - 1] = len(table)
                    table.append(_scientific(negative, significant, digits, sign))
    rows = [row + [_NUL] * (WIDTH - len(row)) for row in table]
    return np.array(rows, dtype=np.intp), index


def _fixed(negative: int, exponent: int, significant: int) -> list[int]:
    head = [_MINUS] if negative else []
    digits = list(_DIGITS[:significant])
    if exponent < 0:  # 0.000ddd
        return head + [_ZERO, _DOT] + [_ZERO] * (-exponent - 1) + digits
    whole = exponent + 1
    body = digits + [_ZERO] * max(0, whole - significant)  # 120000: zeros the digits dropped
    return head + body[:whole] + ([_DOT] + body[whole:] if significant > whole else [])


def _scientific(negative: int, significant: int, digits: int, sign: int) -> list[int]:
    head = [_MINUS] if negative else []
    mantissa = [_DIGITS[0]] + ([_DOT] + list(_DIGITS[1:significant]) if significant > 1 else [])
    return head + mantissa + [_E, sign] + [_X0, _X1, _X2][3 - digits:]


_LAYOUTS, _INDEX = _layouts()
_POWERS = np.array([10.0 ** k for k in range(_SAFE_EXPONENTS.stop + 6)])


_DIGITS_DOT, _DIGITS_ZERO, _DIGITS_NUL = (three_digit_words(last) for last in (b".", b"0", b"\0"))
_SIGNS = np.frombuffer(b"e-+\0", dtype=np.uint32)[0]
_TRAILING_ZEROS = sum((np.arange(1000) % 10**k == 0).astype(np.int64)
                     for k in (1, 2, 3))  # of a number's three digits


def g6_bytes(values: np.ndarray) -> np.ndarray:
    """[N, WIDTH] uint8: row i is ("%.6g" % values[i]).encode(), padded with NUL bytes."""
    x = np.asarray(values, dtype=np.float64).ravel()
    mantissa, exponent, fast = _six_digits(np.abs(x))
    negative = np.signbit(x)
    out = _lay_out(mantissa, exponent, negative)
    zero = x == 0  # "0", "-0"
    out[zero] = PAD
    out[zero, 0] = np.where(negative[zero], ord("-"), ord("0"))
    out[zero & negative, 1] = ord("0")
    for i in np.flatnonzero(~(fast | zero)):  # NaN, infinities, ties, far exponents
        text = ("%.6g" % x[i]).encode()
        out[i] = PAD
        out[i, :len(text)] = np.frombuffer(text, dtype=np.uint8)
    return out


def _six_digits(magnitude: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m, e, sure): magnitude rounded to six significant digits is m * 10**(e - 5), m in
    [100000, 999999]; `sure` is False where that could be wrong (the value stands for 1.0
    there, and Python formats it)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(magnitude))
    sure = np.isfinite(exponent) & (exponent >= _SAFE_EXPONENTS.start) & \
        (exponent < _SAFE_EXPONENTS.stop)
    magnitude = np.where(sure, magnitude, 1.0)
    exponent = np.where(sure, exponent, 0).astype(np.int64)
    scaled = _scaled(magnitude, exponent)
    low, high = scaled < 1e5, scaled >= 1e6  # log10 was one off near a power of ten
    exponent += high.astype(np.int64) - low
    scaled = np.where(low | high, _scaled(magnitude, exponent), scaled)
    sure &= np.abs(scaled - np.floor(scaled) - 0.5) >= _TIE_MARGIN
    mantissa = np.rint(scaled)
    carry = mantissa >= 1e6  # 999999.7 -> 1.00000 at the next power of ten
    exponent += carry
    return np.where(carry, 1e5, mantissa).astype(np.int64), exponent, sure


def _scaled(magnitude: np.ndarray, exponent: np.ndarray) -> np.ndarray:
    """magnitude * 10**(5 - exponent), by a power of ten that is exact up to 10**22."""
    shift = 5 - exponent
    return magnitude * _POWERS[np.maximum(shift, 0)] / _POWERS[np.maximum(-shift, 0)]


def _lay_out(mantissa: np.ndarray, exponent: np.ndarray, negative: np.ndarray) -> np.ndarray:
    n = len(mantissa)
    high, low = np.divmod(mantissa.astype(np.int32), 1000)
    power = np.abs(exponent)
    words = np.empty((n, _ALPHABET_SIZE // 4), dtype=np.uint32)
    words[:, 0], words[:, 1] = _DIGITS_DOT[high], _DIGITS_ZERO[low]
    words[:, 2], words[:, 3] = _SIGNS, _DIGITS_NUL[np.minimum(power, 999)]
    trailing = np.where(low == 0, 3 + _TRAILING_ZEROS[high], _TRAILING_ZEROS[low])
    fixed = (exponent >= -4) & (exponent < 6)
    column = np.where(fixed, np.clip(exponent, -4, 5) + 4,
                      10 + (power >= 100) * 2 + (exponent >= 0))
    layout = _INDEX[negative.astype(np.intp), column, 5 - trailing]
    rows = np.arange(0, n * _ALPHABET_SIZE, _ALPHABET_SIZE, dtype=np.intp)[:, None]
    return np.take(words.view(np.uint8).ravel(), rows + _LAYOUTS[layout])
