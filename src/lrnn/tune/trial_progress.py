"""What a person sees while a study runs: one bar over the trials with the best value so far
(on a terminal), or one line per finished trial (in a log)."""

from __future__ import annotations

import math
import sys
import time

from ._lrnn import interactive

POLL_S = 1.0  # how often the study is read for news


def best_of(trials, direction: str):
    complete = [t for t in trials if t.state.name == "COMPLETE" and t.value is not None]
    if not complete:
        return None
    pick = min if direction == "minimize" else max
    return pick(complete, key=lambda t: t.value)


def value_text(value) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.4g}"


class TrialProgress:
    def __init__(self, study, total: int | None):
        from ._lrnn import progress_bar

        self.study, self.direction = study, study.direction.name.lower()
        self.metric = study.user_attrs.get("lrnn_metric", "value")
        self.seen = {t.number for t in self._finished()}
        self.bar = progress_bar(total, "trials", unit="trial") if interactive() else None
        if self.bar is not None:
            self.bar.update(len(self.seen))
        self._last = 0.0

    def _finished(self):
        return [t for t in self.study.get_trials(deepcopy=False)
                if t.state.name in ("COMPLETE", "PRUNED")]

    def update(self) -> None:
        if time.monotonic() - self._last < POLL_S:
            return
        self._last = time.monotonic()
        finished = self._finished()
        best = best_of(finished, self.direction)
        best_text = f"{value_text(best.value)} (trial {best.number})" if best else "—"
        new = sorted((t for t in finished if t.number not in self.seen), key=lambda t: t.number)
        self.seen.update(t.number for t in new)
        if self.bar is not None:
            self.bar.update(len(new))
            self.bar.set_postfix_str(f"best {self.metric} {best_text}")
            return
        for trial in new:
            seconds = (trial.datetime_complete - trial.datetime_start).total_seconds() \
                if trial.datetime_complete and trial.datetime_start else float("nan")
            what = f"{self.metric} {value_text(trial.value)}" \
                if trial.state.name == "COMPLETE" else trial.user_attrs.get("lrnn_note", "pruned")
            print(f"trial {trial.number:>4} {trial.state.name.lower():<8} {what}  "
                  f"({seconds:.1f} s; best {best_text})", flush=True)

    def close(self) -> None:
        self._last = 0.0
        self.update()
        if self.bar is not None:
            self.bar.close()
        sys.stdout.flush()
