"""From what a child left behind to the figures of the table: accuracy curves, time to a target
accuracy, and the median over repetitions. Pure functions, no processes."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

from benchmarks.spawn import Measurement


@dataclass(frozen=True)
class Point:
    """A test accuracy and when it was known: on the wall clock, and (lrnn only) in seconds
    since training started."""
    unix_time: float
    accuracy: float
    train_time_s: float | None = None


@dataclass(frozen=True)
class Outcome:
    curve: tuple[Point, ...] = ()
    final_accuracy: float | None = None


def first_reaching(curve: tuple[Point, ...], target: float) -> Point | None:
    """The earliest point whose accuracy is at least `target`."""
    reached = [p for p in curve if p.accuracy >= target]
    return min(reached, key=lambda p: p.unix_time) if reached else None


def time_to_target(curve: tuple[Point, ...], start_unix: float, target: float) -> float | None:
    """Seconds from the spawn until the test accuracy first reached `target`; None if never."""
    point = first_reaching(curve, target)
    return None if point is None else point.unix_time - start_unix


def train_time_to_target(curve: tuple[Point, ...], target: float) -> float | None:
    """Seconds of training (lrnn's own clock) until `target` was first reached; None if never
    or not recorded."""
    point = first_reaching(curve, target)
    return None if point is None else point.train_time_s


@dataclass(frozen=True)
class Repetition:
    measurement: Measurement
    outcome: Outcome
    target: float | None

    @property
    def ok(self) -> bool:
        return self.measurement.returncode == 0

    @property
    def time_to_target_s(self) -> float | None:
        if self.target is None or not self.ok:
            return None
        return time_to_target(self.outcome.curve, self.measurement.start_unix, self.target)

    @property
    def train_time_to_target_s(self) -> float | None:
        if self.target is None or not self.ok:
            return None
        return train_time_to_target(self.outcome.curve, self.target)


def median_or_none(values: list[float | None]) -> float | None:
    """The median, counting a missing value (a run that failed or never reached the target) as
    infinitely slow: the median is None when half or more are missing."""
    if not values:
        return None
    result = statistics.median(math.inf if v is None else v for v in values)
    return None if math.isinf(result) else result


@dataclass
class Summary:
    """One task over its repetitions."""
    name: str
    what: str
    target: float | None
    repetitions: list[Repetition] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(not r.ok for r in self.repetitions)

    @property
    def wall_s(self) -> float | None:
        return median_or_none([r.measurement.wall_s if r.ok else None for r in self.repetitions])

    @property
    def cpu_s(self) -> float | None:
        return median_or_none([r.measurement.cpu_s if r.ok else None for r in self.repetitions])

    @property
    def time_to_target_s(self) -> float | None:
        return median_or_none([r.time_to_target_s for r in self.repetitions])

    @property
    def train_time_to_target_s(self) -> float | None:
        return median_or_none([r.train_time_to_target_s for r in self.repetitions])

    @property
    def reached(self) -> int:
        return sum(r.time_to_target_s is not None for r in self.repetitions)

    @property
    def accuracy(self) -> float | None:
        return median_or_none([r.outcome.final_accuracy if r.ok else None
                               for r in self.repetitions])

    @property
    def others_cpu_share(self) -> float | None:
        """How busy the rest of the machine was meanwhile (median over repetitions)."""
        return median_or_none([r.measurement.others_cpu_share for r in self.repetitions])

    @property
    def max_rss_mib(self) -> float | None:
        if not self.repetitions:
            return None
        return max(r.measurement.max_rss_mib for r in self.repetitions)
