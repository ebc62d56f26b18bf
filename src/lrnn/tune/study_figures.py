"""study.html's figures (reporting/figures.py draws them) as figure jobs of plain
numbers, handed to a figure worker of their own when the trials are done: it draws them while
this process trains best/, where drawing them here first took ~1 s of a small table's ~9 s
tune (matplotlib's import included). Whatever the worker does not draw is drawn here."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ._lrnn import draw_figure, figure_handover, figure_job

FOLDER = "lrnn-study-figures-"  # a temporary folder of this process, while they are drawn


class StudyFigures:
    """Started with the jobs, `pngs()` waits for them: {name: PNG bytes, or None when the
    figure has nothing to show}. `close()` (always) leaves no worker and no folder."""

    def __init__(self, trials: list, metric: str, direction: str,
                 importances: dict[str, float] | None):
        # its own folder, as several processes may finish the same study at once; in the
        # system's temporary folder, not the study's: a worker killed while they are drawn
        # leaves nothing in the study's folder, which other machines may share
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER))
        self.jobs = jobs(trials, metric, direction, importances)
        self.handover = figure_handover(self.jobs, self.folder)

    def pngs(self) -> dict[str, bytes | None]:
        for job in self.handover.finish():  # what the worker did not draw
            draw_figure(job, self.folder)
        drawn = {job.name: (self.folder / f"{job.name}.png").read_bytes() for job in self.jobs}
        return {name: drawn.get(name) for name in ("history", "importances", "slices")}

    def close(self) -> None:
        self.handover.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def jobs(trials: list, metric: str, direction: str, importances: dict[str, float] | None):
    complete = sorted((t for t in trials if t.state.name == "COMPLETE"), key=lambda t: t.number)
    made = [figure_job("history", "study_history", dict(
        numbers=[t.number for t in complete], values=[float(t.value) for t in complete],
        pruned=[t.number for t in trials if t.state.name == "PRUNED"], metric=metric,
        direction=direction))]
    if importances:
        made.append(figure_job("importances", "study_importances",
                               dict(values={k: float(v) for k, v in importances.items()})))
    panels = slice_panels(complete)
    if panels:
        made.append(figure_job("slices", "study_slices", dict(
            panels=panels, last=max(t.number for t in complete), metric=metric)))
    return made


def slice_panels(complete: list) -> list[dict]:
    """One panel per searched parameter, in the order the trials first name them."""
    names = sorted({name for t in complete for name in t.params},
                   key=lambda n: min(list(t.params).index(n) for t in complete if n in t.params))
    panels = []
    for name in names:
        having = [t for t in complete if name in t.params]
        dist = having[0].distributions[name]
        values = [t.params[name] for t in having]
        panel = {"name": name, "scores": [float(t.value) for t in having],
                 "numbers": [t.number for t in having]}
        if hasattr(dist, "choices"):
            choices = list(dist.choices)
            panel.update(scale="choices", choices=[str(c) for c in choices],
                         values=[choices.index(v) for v in values])
        else:
            scale = "log" if getattr(dist, "log", False) else \
                "int" if isinstance(values[0], int) else "linear"
            panel.update(scale=scale, values=[float(v) for v in values])
        panels.append(panel)
    return panels
