"""study.html's figures as plain jobs (tune/study_figures.py): every argument survives JSON,
each parameter gets the scale of its distribution, and a figure worker draws them while this
process imports no matplotlib, leaving no folder behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

from lrnn.tune.study_figures import jobs  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"
STUDY = """
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState, create_trial

study = optuna.create_study(direction="minimize")
spaces = {"lr": FloatDistribution(1e-4, 1e-1, log=True), "layers": IntDistribution(1, 3),
          "activation": CategoricalDistribution(["relu", "tanh"]),
          "dropout": FloatDistribution(0.0, 0.5)}
for n in range(8):
    params = {"lr": 10 ** -(1 + n % 3), "layers": 1 + n % 3,
              "activation": ["relu", "tanh"][n % 2], "dropout": n / 20}
    state = TrialState.PRUNED if n == 5 else TrialState.COMPLETE
    study.add_trial(create_trial(params=params, distributions=spaces, state=state,
                                 value=None if n == 5 else 1.0 / (n + 1),
                                 intermediate_values={0: 1.0}))
trials = study.get_trials()
"""


def _study():
    scope: dict = {}
    exec(STUDY, scope)
    return scope["trials"]


def test_the_jobs_are_plain_numbers_with_each_parameters_scale():
    made = jobs(_study(), "val_loss", "minimize", {"lr": 0.7, "layers": 0.3})
    assert [job.name for job in made] == ["history", "importances", "slices"]
    for job in made:
        assert json.loads(json.dumps(job.args)) == job.args  # what the worker reads back
    history = made[0].args
    assert history["numbers"] == [0, 1, 2, 3, 4, 6, 7] and history["pruned"] == [5]
    panels = {p["name"]: p for p in made[2].args["panels"]}
    assert [panels[n]["scale"] for n in ("lr", "layers", "activation", "dropout")] == \
        ["log", "int", "choices", "linear"]
    assert panels["activation"]["choices"] == ["relu", "tanh"]
    assert panels["activation"]["values"] == [0, 1, 0, 1, 0, 0, 1]  # indices of the choices


def test_without_importances_or_complete_trials_fewer_figures():
    assert [job.name for job in jobs(_study(), "val_loss", "minimize", None)] == \
        ["history", "slices"]
    assert [job.name for job in jobs([], "val_loss", "minimize", None)] == ["history"]


def test_a_figure_worker_draws_them_and_leaves_nothing(tmp_path):
    """In a fresh process, as `lrnn tune` runs it: the PNGs come back, drawn by the worker
    (this process never imports matplotlib), and the drawing folder is gone. It is a folder
    of the system's temporary one (TMPDIR here), so that a process killed meanwhile leaves
    nothing in the study's folder."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    script = STUDY + textwrap.dedent("""
        import sys, json
        from lrnn.reporting import figure_worker
        from lrnn.tune.study_figures import StudyFigures
        with figure_worker.running(1):
            drawing = StudyFigures(trials, "val_loss", "minimize", {"lr": 1.0})
            try:
                pngs = drawing.pngs()
            finally:
                drawing.close()
        print(json.dumps({"heads": {k: v[:8].hex() for k, v in pngs.items()},
                          "matplotlib": "matplotlib" in sys.modules,
                          "folder": str(drawing.folder)}))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, check=True, env=dict(os.environ, TMPDIR=str(temporary)))
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["heads"] == {name: PNG.hex() for name in ("history", "importances", "slices")}
    assert seen["matplotlib"] is False
    assert Path(seen["folder"]).parent == temporary and list(temporary.iterdir()) == []
