"""The digit words both writers pick characters from: every three-digit group as four bytes."""

from __future__ import annotations

import numpy as np


def three_digit_words(last: bytes) -> np.ndarray:
    """The 1,000 words "000" + last ... "999" + last, as uint32: a group of three digits and
    one more character, picked by one 1-D gather."""
    n = np.arange(1000)
    chars = np.stack([n // 100 + 48, n // 10 % 10 + 48, n % 10 + 48, np.full(1000, ord(last))])
    return np.ascontiguousarray(chars.T.astype(np.uint8)).view(np.uint32).ravel()
