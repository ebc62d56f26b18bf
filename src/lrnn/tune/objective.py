"""One trial: the settings Optuna proposes, trained once on the training split and scored on
the validation split only (the test split is never looked at while choosing).

While it trains, the trial reports its validation loss (for --metric val_loss) or accuracy
(the other metrics) at every 5 % of its planned epochs, so that trials of different lengths
are compared at the same share of their budget; the pruner may stop it there. Full-batch
L-BFGS trials are not pruned: a few iterations say little about the solution it converges to.

When every trial of a study is a logistic regression solved by L-BFGS (lrnn train's recipe
up to its small-data rows; study_folds decides, once for the study, so that its values are all
measured alike), the trials are scored instead by 5-fold cross-validation over the training
and validation rows together, as scikit-learn's searches score a candidate: on a table of a
few hundred rows one validation split of a tenth decides C by a handful of rows (benchmarks/RESULTS.md, "Hyperparameter
search": over five splits, the holdout's choice fell behind RandomizedSearchCV's on two
tables). The folds are solved at once (training/lbfgs/cross_validation.py), so a trial costs
little more than one fit; best/ is then refit on those same rows, as a search refits.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .study import WORKER, this_worker
from ._lrnn import (InputError, build_config, evaluate, fit_only, fold_pool, out_of_fold_logits,
                    pooled_labels, resolve, small_rows, validation_logits)
from .space import Space

METRICS = ("val_loss", "accuracy", "f1", "roc_auc")
REPORT_EVERY = 5  # percent of the planned epochs between two reports to the pruner
SURPLUS = "lrnn_surplus"
NOTE = "lrnn_note"
FOLDS = 5  # cross-validation's, for a study of L-BFGS logistic regressions (above)
FOLDS_ATTR = "lrnn_folds"  # a trial's user attribute: scored on that many folds


class TrialFailed(Exception):
    """The proposed settings could not be trained (the reason is the trial's note)."""


class Aborted(Exception):
    """Stopped before its end by a second Ctrl-C or SIGTERM."""


def score(metrics: dict, metric: str) -> float | None:
    """The value a study optimizes, from lrnn's metrics of a split. F1 is macro-averaged."""
    return {"val_loss": metrics["loss"], "accuracy": metrics["accuracy"],
            "f1": metrics["macro"]["f1"], "roc_auc": metrics["roc_auc"]}[metric]


def scored_on(trial) -> str:
    """What a trial's value was measured on, in words: "5-fold cross-validated" or
    "validation"."""
    folds = trial.user_attrs.get(FOLDS_ATTR)
    return f"{folds}-fold cross-validated" if folds else "validation"


def is_surplus(study, number: int, trials: int) -> bool:
    """Two workers may both see one trial left and both ask: the trials are ranked by number,
    and one beyond the first `trials` that have not failed is not run."""
    from optuna.trial import TrialState

    alive = sum(1 for t in study.get_trials(deepcopy=False)
                if t.number < number and t.state != TrialState.FAIL)
    return alive >= trials


def study_folds(space: Space, base_values: dict, prepared) -> int:
    """FOLDS when every trial of the study is a logistic regression solved by full-batch
    L-BFGS without early stopping on a small training split, and every class of the training
    and validation rows has FOLDS rows at least: its trials are then cross-validated
    (objective.py). Otherwise 0. Decided once for the study, so that no study compares values
    measured two ways (a space that searches the optimizer trains some trials by Adam)."""
    import numpy as np

    n_train = len(prepared.train)
    config = resolve(build_config({**base_values, **space.fixed}), n_train)
    if config.model != "logreg" or config.optimizer != "lbfgs" or config.early_stopping or \
            {"model", "optimizer", "early_stopping"} & set(space.names) or \
            n_train > small_rows():
        return 0
    counts = np.bincount(pooled_labels(prepared), minlength=prepared.dataset.n_classes)
    return FOLDS if counts.min() >= FOLDS else 0


@dataclass
class Objective:
    base: dict[str, Any]  # the settings given as flags, checked
    space: Space
    metric: str
    prune: bool  # a pruner other than none
    trials: int | None  # the study's requested number of finished trials
    prepared: Any
    device: Any
    abort: threading.Event = field(default_factory=threading.Event)
    folds: int = 0  # the study's trials scored by cross-validation on that many folds; 0: not
    pool: Any = field(default=None, repr=False)  # the folds, dealt at the first trial

    def __call__(self, trial) -> float:
        trial.set_user_attr(WORKER, this_worker())
        if self.trials is not None and is_surplus(trial.study, trial.number, self.trials):
            trial.set_user_attr(SURPLUS, True)
            raise TrialFailed("not needed: the study has its trials")
        settings = self.space.sample(trial)
        try:
            config = resolve(build_config({**self.base, **settings}), len(self.prepared.train))
        except InputError as exc:
            self._fail(trial, str(exc))
        started = time.perf_counter()
        metrics = self._cross_validated(trial, config) if self.folds else \
            self._holdout(trial, config)
        trial.set_user_attr("train_seconds", round(time.perf_counter() - started, 3))
        trial.set_user_attr("val_accuracy", metrics["accuracy"])
        trial.set_user_attr("val_loss", metrics["loss"])
        value = score(metrics, self.metric)
        if value is None or not math.isfinite(value):
            self._fail(trial, f"{self.metric} is not defined on the validation split")
        return value

    def _holdout(self, trial, config) -> dict:
        """Trained on the training split, scored on the validation split."""
        try:
            config, history, model = fit_only(config, self.prepared, self.device,
                                              self._on_epoch(trial, config))
        except InputError as exc:
            if str(exc).startswith("training diverged"):  # a real outcome of these settings
                trial.set_user_attr(NOTE, str(exc).split(";")[0])
                import optuna

                raise optuna.TrialPruned(str(exc)) from None
            self._fail(trial, str(exc))
        trial.set_user_attr("epochs", len(history.epochs))
        trial.set_user_attr("best_epoch", history.best_epoch)  # early stopping's, or None
        return evaluate(validation_logits(model, self.prepared),
                        self.prepared.val.y.cpu().numpy(), self.prepared.dataset.classes,
                        config.threshold)

    def _cross_validated(self, trial, config) -> dict:
        """Scored on the out-of-fold predictions of the training and validation rows."""
        if self.pool is None:  # the seed is never searched: one dealing serves every trial
            self.pool = fold_pool(self.prepared, self.folds, config.seed)
        logits, iterations = out_of_fold_logits(config, self.pool, self._check_abort)
        trial.set_user_attr("epochs", iterations)
        trial.set_user_attr(FOLDS_ATTR, self.pool.k)
        return evaluate(logits, self.pool.y.cpu().numpy(), self.prepared.dataset.classes,
                        config.threshold)

    def _check_abort(self) -> None:
        if self.abort.is_set():
            raise Aborted("interrupted")

    @staticmethod
    def _fail(trial, reason: str):
        trial.set_user_attr(NOTE, reason)
        raise TrialFailed(reason)

    def _on_epoch(self, trial, config):
        """The Trainer's epoch hook: stops an aborted trial, reports to the pruner."""
        import optuna

        prune = self.prune and config.optimizer != "lbfgs"
        per_epoch = math.ceil(len(self.prepared.train) / config.batch_size) \
            if config.batch_size else 1
        planned = config.epochs or math.ceil(config.iterations / per_epoch)
        key = "val_loss" if self.metric == "val_loss" else "val_accuracy"
        reported = [0]

        def on_epoch(row: dict) -> bool:
            self._check_abort()
            step = min(100, round(100 * row["epoch"] / planned))
            if prune and step - reported[0] >= REPORT_EVERY:
                reported[0] = step
                trial.report(row[key], step)
                if step < 100 and trial.should_prune():  # a finished trial is scored
                    trial.set_user_attr(NOTE, f"at {step}% of its epochs")
                    raise optuna.TrialPruned()
            return False

        return on_epoch
