"""The pieces of lrnn that the search uses, imported in this one place."""

from __future__ import annotations

from ..config import (BUILTIN_DATASETS, MODELS, SETTINGS, RunConfig, build_config,  # noqa: F401
                      parse_setting, unknown_key_message)
from ..errors import InputError, LrnnError  # noqa: F401
from ..training.openmp import usable_cores  # noqa: F401 (imports no torch)


def recipe_optimizer(config: RunConfig, n_train: int) -> str:
    """The optimizer `lrnn train` would use for this data and these settings."""
    from ..config.recipes import fill_training

    return fill_training(config.model, n_train, {"optimizer": config.optimizer})["optimizer"]


def resolve(config: RunConfig, n_train: int) -> RunConfig:
    from ..config.recipes import resolve as fill

    return fill(config, n_train)


def prepare_data(config: RunConfig, show_warnings: bool = True):
    """(Prepared, device); the data's warnings printed (columns dropped, capped...) unless
    `show_warnings` is false."""
    from ..console import Console
    from ..engine import prepare_data as prepare

    return prepare(config, Console(quiet=True) if show_warnings else Console.silent())


def import_training() -> None:
    """What every trial needs, imported now: torch and lrnn's training (engine), Optuna."""
    import optuna  # noqa: F401

    from .. import engine  # noqa: F401


def fit_only(config: RunConfig, prepared, device, on_epoch):
    from ..engine import fit_only as fit

    return fit(config, prepared, device, on_epoch)


def fold_pool(prepared, folds: int, seed: int):
    """The training and validation rows pooled and dealt into `folds` stratified folds
    (training/lbfgs/cross_validation.py: Folds)."""
    from ..data.split import stratified_folds
    from ..training.lbfgs.cross_validation import Folds

    parts = _pooled_parts(prepared)
    y = pooled_labels(prepared)
    return Folds.of(parts, stratified_folds(y, folds, seed), prepared.dataset.n_classes)


def pooled_labels(prepared):
    """The class indices of the training and validation rows, in that order (numpy)."""
    import numpy as np

    return np.concatenate([p.y.cpu().numpy() for p in _pooled_parts(prepared)])


def _pooled_parts(prepared) -> list:
    return [p for p in (prepared.train, prepared.val) if p is not None]


def out_of_fold_logits(config: RunConfig, pool, between_rounds):
    """([N, out] numpy logits of the pooled rows, each by the fold model that did not see it;
    L-BFGS iterations) for a resolved logistic-regression `config`."""
    from ..training.lbfgs.cross_validation import out_of_fold_logits as logits

    out, iterations = logits(pool, config.alpha, config.lr, config.tol,
                             config.iterations or config.epochs,
                             config.class_weight == "balanced", between_rounds)
    return out.float().cpu().numpy(), iterations


def train_run(config: RunConfig):
    """A complete run directory through `lrnn train`'s own path (report, plots, predict);
    quiet: the search already said what the data and settings are."""
    from ..console import Console
    from ..engine import run

    return run(config, Console.silent())


def data_fingerprint(prepared) -> str:
    from ..training.resume import data_fingerprint as fingerprint

    return fingerprint(prepared)


def validation_logits(model, prepared):
    """[N_val, K] logits of the validation rows, as numpy."""
    import torch

    from ..models.losses import logits_of

    with torch.no_grad():
        return logits_of(model, prepared.val.X).cpu().numpy()


def evaluate(logits, y, classes, threshold: float) -> dict:
    from ..evaluation import evaluate as metrics

    return metrics(logits, y, classes, threshold)


def interactive() -> bool:
    from ..console import interactive as watched

    return watched()


def write_atomic(path, text) -> None:
    from ..artifacts.files import write_atomic as write

    write(path, text)


def html_page():
    """(page, section, table, image, number) of lrnn's self-contained HTML pages."""
    from ..reporting import html

    return html.page, html.section, html.table, html.image, html.number


def study_figure_worker():
    """A figure worker of one process for study.html's figures (study_figures.py), for the
    `with` block around the trials and best/: it warms up while the trials run, not while
    torch is imported beside best/'s worker. LRNN_FIGURE_WORKERS=0: none."""
    from ..reporting import figure_worker

    return figure_worker.running(min(1, figure_worker.default_processes()))


def figure_job(name: str, drawer: str, args: dict):
    from ..reporting.run_figures import FigureJob

    return FigureJob(name, drawer, args)


def figure_handover(jobs: list, folder):
    """The jobs given to this command's idle figure worker (reporting/figure_worker.py)."""
    from ..reporting.figure_worker import Handover

    return Handover(jobs, folder)


def draw_figure(job, folder) -> None:
    from ..reporting.run_figures import draw

    draw(job, folder)


def small_rows() -> int:
    """Training splits up to this many rows get lrnn train's small-data recipes."""
    from ..config.recipes import SMALL_ROWS

    return SMALL_ROWS


def progress_bar(total, desc: str, unit: str):
    from ..console import Console

    return Console().bar(total, desc, unit=unit)


def csv_text(header, rows) -> str:
    """Every CSV lrnn writes goes through one writer (spreadsheet formulas escaped)."""
    from ..artifacts.tables import csv_text as text

    return text(header, rows)
