"""Shared pieces of the tune tests: the real `lrnn tune` in a subprocess, a study read back
with Optuna itself, and one small finished study for the tests that only read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import lrnn_cli

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CHILE = ["--data", str(FIXTURES / "chile.csv"), "--target", "vote"]


def tune(*args: str, **kwargs):
    return lrnn_cli("tune", *args, **kwargs)


def read_study(out: Path, storage=None, name: str | None = None):
    """The study in `out`'s journal (or in `storage`), as Optuna loads it."""
    import optuna
    from optuna.storages.journal import JournalFileBackend

    if storage is None:
        storage = optuna.storages.JournalStorage(JournalFileBackend(str(out / "study.journal")))
    name = name or optuna.get_all_study_names(storage)[0]
    return optuna.load_study(study_name=name, storage=storage)


def finished(study) -> list:
    return [t for t in study.trials if t.state.name in ("COMPLETE", "PRUNED")]


def real_failures(study) -> list:
    """Failed trials other than the surplus ones a worker asked for and never ran."""
    return [t for t in study.trials if t.state.name == "FAIL"
            and not t.user_attrs.get("lrnn_surplus")]


@pytest.fixture(scope="session")
def chile_study(tmp_path_factory) -> tuple[Path, str]:
    """`lrnn tune` on chile.csv (logistic regression, 4 trials): (DIR, stdout)."""
    out = tmp_path_factory.mktemp("tune") / "chile"
    result = tune(*CHILE, "--trials", "4", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out, result.stdout
