"""Many floats written as Python's repr writes them, at numpy speed.

Why not repr(value): a run's predictions.csv holds every test probability exactly, so that
each test metric can be recomputed from it: MNIST's 100,000, or 400,000 for a 1,000,000-row
table's 200,000 test rows. Python's repr, one value at a time, took ~1 us a value (0.45 s of a
~4 s run on that table); here ~0.3 us.

repr is the shortest decimal that reads back as the same float (and of those, the nearest).
Each value is scaled to 17 significant digits in long double, whose 64-bit mantissa leaves
room for the rounding error to be bounded; the digits are then cut one at a time while the
nearest shorter decimal still reads back (converted back in long double, and rounded to
float64). Where that error could flip a rounding (a tie, or the midpoint of two floats), and
for NaN, infinities, zeros, subnormal numbers and powers of two (whose interval of decimals
that read back is lopsided), Python's repr writes the value. tests/artifacts/test_number_text.py
compares every value with repr.

The result is a [N, REPR_WIDTH] uint8 matrix of ASCII, NUL-padded, as g6.py's."""

from __future__ import annotations

from functools import cache

import numpy as np

from .words import three_digit_words

REPR_WIDTH = 24  # the longest repr of a float: "-1.2345678901234567e-308"
# The digits are worked out in numpy's long double, which must be x87's 80-bit format (x86-64)
# or IEEE quad precision (aarch64 Linux): rounded as IEEE rounds, with 64 bits of mantissa or
# more. Elsewhere (a long double that is a double, or PowerPC's double-double, 105 bits but
# not rounded as one number) tables.py formats by Python.
REPR_IN_NUMPY = np.finfo(np.longdouble).nmant in (63, 112)
# Values formatted at a time: the gather's index matrix (8 bytes a character) stays in the
# CPU's cache instead of being a fresh 190 MB for a million values (1,000,000 softmax
# probabilities: 0.98 s in one piece, ~0.2 s in chunks).
REPR_CHUNK = 16_384
_REPR_ERROR = 2.0 ** -62  # relative error bound of one product in long double, doubled
_TIE_UNITS = 0.01  # the scaled value's absolute error is below 0.0093 units of its 17th digit
_SMALLEST_NORMAL = np.finfo(np.float64).smallest_normal


@cache
def _long_powers() -> np.ndarray:
    """10**k in long double, correctly rounded (parsed by strtold), k = -360..360; made on
    first use (`lrnn predict` never needs them)."""
    return np.array([np.longdouble(f"1e{k}") for k in range(-360, 361)])


def _power(k: np.ndarray) -> np.ndarray:
    return _long_powers()[k + 360]


def repr_bytes(values: np.ndarray) -> np.ndarray:
    """[N, REPR_WIDTH] uint8: row i is repr(float(values[i])).encode(), NUL-padded."""
    x = np.asarray(values, dtype=np.float64).ravel()
    out = np.empty((len(x), REPR_WIDTH), dtype=np.uint8)
    for start in range(0, len(x), REPR_CHUNK):
        out[start:start + REPR_CHUNK] = _repr_chunk(x[start:start + REPR_CHUNK])
    return out


def _repr_chunk(x: np.ndarray) -> np.ndarray:
    magnitude = np.abs(x)
    mantissa_bits = x.view(np.uint64) & np.uint64(2**52 - 1)
    sure = np.isfinite(x) & (magnitude >= _SMALLEST_NORMAL) & (mantissa_bits != 0)
    magnitude = np.where(sure, magnitude, 3.0)
    with np.errstate(over="ignore", invalid="ignore"):  # a candidate beyond the largest float
        digits, count, exponent, sure = _shortest(magnitude, sure)
    out = _lay_out_repr(digits, count, exponent, np.signbit(x))
    _python_repr(x, ~sure, out)
    return out


def _shortest(magnitude: np.ndarray, sure: np.ndarray):
    """(D, n, e, sure): the shortest decimal that reads back as each magnitude is D * 10**(e -
    16), D an integer of 17 digits of which the first n are that decimal's (the rest zeros:
    had the n-th been 0, n - 1 digits would have read back too)."""
    exponent = np.floor(np.log10(magnitude)).astype(np.int64)  # of a normal float: finite
    exact = magnitude.astype(np.longdouble)
    scaled = exact * _power(16 - exponent)
    off = (scaled < 1e16).astype(np.int64) - (scaled >= 1e17)  # log10 one off near 10**k
    exponent -= off
    scaled = np.where(off != 0, exact * _power(16 - exponent), scaled)
    best, unsure17 = _nearest(scaled, 17)  # a tie here matters where 17 digits are the answer
    alive, count = np.flatnonzero(sure), np.full(len(magnitude), 17)
    for n in range(16, 0, -1):  # while the nearest n-digit decimal still reads back
        candidate, tie = _nearest(scaled[alive] / _power(np.full(len(alive), 17 - n)), n)
        reads_back, unsure = _reads_back(candidate, exponent[alive] - n + 1, magnitude[alive])
        sure[alive[tie | unsure]] = False
        kept = reads_back & ~tie & ~unsure
        best[alive[kept]] = candidate[kept] * 10 ** (17 - n)  # as 17 digits, zeros behind
        unsure17[alive[kept]] = False
        count[alive[kept]] = n
        alive = alive[kept]
        if not len(alive):
            break
    carry = best >= 10**17  # 99999999999999999.7 -> 1e17
    return np.where(carry, best // 10, best), count, exponent + carry, sure & ~unsure17


def _nearest(scaled: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(the integers nearest `scaled`, as int64; where `scaled` is too near a tie to be sure)."""
    nearest = np.rint(scaled)  # not floor: floorl is ~20x slower than rintl
    fraction = np.abs((scaled - nearest).astype(np.float64))
    return nearest.astype(np.int64), 0.5 - fraction < _TIE_UNITS / 10 ** (17 - n)


def _reads_back(digits: np.ndarray, power: np.ndarray, magnitude: np.ndarray):
    """(digits * 10**power rounds to magnitude; unsure: the long double product is too near
    the midpoint of two floats for its rounding to be trusted)."""
    product = digits.astype(np.longdouble) * _power(power)
    nearest = product.astype(np.float64)
    rest = (product - nearest.astype(np.longdouble)).astype(np.float64)
    gap = np.where(rest >= 0, np.spacing(nearest), nearest - np.nextafter(nearest, 0))
    unsure = np.abs(np.abs(rest) - gap / 2) <= nearest * _REPR_ERROR
    return nearest == magnitude, unsure


# The repr alphabet of a value, seven 4-byte words: "0" and its first two digits, "."; digits
# 3-5, "0"; 6-8, "e"; 9-11, "-"; 12-14, "+"; 15-17, NUL; the exponent's three digits, NUL.
_R_DOT, _R_ZERO, _R_E, _R_MINUS, _R_PLUS, _R_NUL = 3, 7, 11, 15, 19, 23
_R_EXPONENT = (24, 25, 26)
_ALPHABET_BYTES = 28
_GROUP_WORDS = tuple(three_digit_words(c) for c in (b".", b"0", b"e", b"-", b"+", b"\0"))


def _digit_at(k: int) -> int:
    """The alphabet position of a value's significant digit k (0-based)."""
    return 4 * ((k + 1) // 3) + (k + 1) % 3


def _repr_layout(negative: int, point: int | None, exponent_digits: int, minus: bool,
                 count: int) -> list[int]:
    """One layout: `count` significant digits, the decimal point after digit `point` (fixed
    notation, point -3..16) or, for point None, exponent notation."""
    head = [_R_MINUS] if negative else []
    digits = [_digit_at(k) for k in range(count)]
    if point is None:
        body = digits[:1] + ([_R_DOT] + digits[1:] if count > 1 else [])
        sign = _R_MINUS if minus else _R_PLUS
        return head + body + [_R_E, sign] + list(_R_EXPONENT[3 - exponent_digits:])
    if point <= 0:
        return head + [_R_ZERO, _R_DOT] + [_R_ZERO] * -point + digits
    if point < count:
        return head + digits[:point] + [_R_DOT] + digits[point:]
    return head + digits + [_R_ZERO] * (point - count) + [_R_DOT, _R_ZERO]


def _repr_layouts() -> tuple[np.ndarray, np.ndarray]:
    """(layouts [L, REPR_WIDTH], index[negative, column, count - 1]); column: point + 3 for
    fixed notation, 20 + 2 * (3-digit exponent) + (exponent >= 0) for exponent notation."""
    table, index = [], np.zeros((2, 24, 17), dtype=np.intp)
    for negative in (0, 1):
        for count in range(1, 18):
            for point in range(-3, 17):
                index[negative, point + 3, count - 1] = len(table)
                table.append(_repr_layout(negative, point, 0, False, count))
            for column in range(20, 24):
                index[negative, column, count - 1] = len(table)
                table.append(_repr_layout(negative, None, 2 + (column >= 22),
                                          column % 2 == 0, count))
    rows = [row + [_R_NUL] * (REPR_WIDTH - len(row)) for row in table]
    return np.array(rows, dtype=np.intp), index


_REPR_LAYOUTS, _REPR_INDEX = _repr_layouts()


def _lay_out_repr(digits: np.ndarray, count: np.ndarray, exponent: np.ndarray,
                  negative: np.ndarray) -> np.ndarray:
    n = len(digits)
    groups, rest = [], digits
    for _ in range(5):  # the last five groups of three digits
        above = rest // 1000  # not %: numpy's int64 % is ~10x slower than //
        groups.insert(0, rest - above * 1000)
        rest = above
    groups.insert(0, rest)  # "0" and the first two digits
    words = np.empty((n, _ALPHABET_BYTES // 4), dtype=np.uint32)  # each row's own alphabet
    for i, (group, table) in enumerate(zip(groups, _GROUP_WORDS)):
        words[:, i] = table[group]
    words[:, 6] = _GROUP_WORDS[5][np.minimum(np.abs(exponent), 999)]
    point = exponent + 1
    fixed = (point >= -3) & (point <= 16)
    column = np.where(fixed, np.clip(point, -3, 16) + 3,
                      20 + 2 * (np.abs(exponent) >= 100) + (exponent >= 0))
    layout = _REPR_INDEX[negative.astype(np.intp), column, count - 1]
    index = np.take(_REPR_LAYOUTS, layout, axis=0)
    index += np.arange(0, n * _ALPHABET_BYTES, _ALPHABET_BYTES, dtype=np.intp)[:, None]
    return np.take(words.view(np.uint8).ravel(), index)


def _python_repr(x: np.ndarray, where: np.ndarray, out: np.ndarray) -> None:
    """Python's own repr in the rows `where`, each distinct value formatted once."""
    rows = np.flatnonzero(where)
    if not len(rows):
        return
    values, inverse = np.unique(x[rows].view(np.uint64), return_inverse=True)
    texts = [repr(v).encode() for v in values.view(np.float64).tolist()]
    table = np.zeros((len(texts), REPR_WIDTH), dtype=np.uint8)
    for i, text in enumerate(texts):
        table[i, :len(text)] = np.frombuffer(text, dtype=np.uint8)
    out[rows] = table[inverse.ravel()]
