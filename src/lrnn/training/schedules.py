"""Learning-rate schedules over a whole run, as a factor of the peak rate for each step."""

from __future__ import annotations

import math
from typing import Callable

STEP_MILESTONES = (0.5, 0.75)  # schedule "step": x STEP_GAMMA at these fractions of the run
STEP_GAMMA = 0.1
ONECYCLE_WARMUP = 0.3  # as torch's OneCycleLR: share of the run rising to the peak rate,
ONECYCLE_START_DIV = 25.0  # starting at peak / 25,
ONECYCLE_FINAL_DIV = 1e4  # and ending at start / 1e4


def lr_factor(schedule: str, total_steps: int) -> Callable[[int], float]:
    """The learning rate of step `t` (0-based) as a multiple of --lr."""
    T = max(total_steps, 1)
    if schedule == "cosine":  # as CosineAnnealingLR down to 0
        return lambda t: 0.5 * (1 + math.cos(math.pi * t / T))
    if schedule == "onecycle":
        return lambda t: _onecycle(t, T)
    if schedule == "step":
        marks = [f * T for f in STEP_MILESTONES]
        return lambda t: STEP_GAMMA ** sum(t >= m for m in marks)
    return lambda t: 1.0


def _onecycle(t: int, total: int) -> float:
    """As torch's OneCycleLR (cosine phases, no momentum cycling)."""
    start, end = 1 / ONECYCLE_START_DIV, 1 / (ONECYCLE_START_DIV * ONECYCLE_FINAL_DIV)
    peak_at = ONECYCLE_WARMUP * total - 1
    if t <= peak_at:
        begin, finish, frac = start, 1.0, t / max(peak_at, 1)
    else:
        begin, finish, frac = 1.0, end, (t - peak_at) / max(total - 1 - peak_at, 1)
    return finish + (begin - finish) / 2 * (1 + math.cos(math.pi * frac))
