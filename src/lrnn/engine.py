"""The lifecycle in one place: run(config) loads, splits, preprocesses, builds, trains,
evaluates, draws and saves (DESIGN.md, "Data flow"); resume(run_dir) continues a run from its
newest checkpoint through the same steps."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import torch

from . import __version__, checkpoints, distributed, resuming
from .artifacts import check_new_run_dir
from .config import RunConfig, check_combinations
from .errors import ArtifactError, InputError
from .device import choose_device, seed_everything, threads_for
from .models import architecture, build
from .outputs import model_info, numpy_weights, save, score
from .preparation import prepare
from .recipes import resolve
from .run_dir import RunDir
from .training import History, TrainData, Trainer


@dataclass(frozen=True)
class Run:
    run_dir: Path
    config: RunConfig  # resolved: every setting filled
    metrics: dict[str, Any]
    history: History


def default_out(config: RunConfig) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = f"{config.source_name}-{config.model}-{stamp}"
    out, n = Path("runs") / base, 2
    while out.exists():
        out, n = Path("runs") / f"{base}-{n}", n + 1
    return out


def warn_on_stderr(message: str) -> None:
    print(f"lrnn: warning: {message}", file=sys.stderr)


def balanced_weights(train: TrainData, n_classes: int) -> TrainData:
    """Rows weighted n / (n_classes * rows of their class), as scikit-learn's "balanced"."""
    counts = torch.bincount(train.y, minlength=n_classes).to(torch.float32)
    per_class = len(train) / (n_classes * counts.clamp(min=1))
    return TrainData(train.X, train.y, per_class[train.y])


def run(config: RunConfig, log: Callable[[str], None] = print,
        warn: Callable[[str], None] = warn_on_stderr) -> Run:
    """A new run. Every input is checked before its folder is created."""
    check_combinations(config)
    if config.tensorboard:
        from . import tensorboard_log

        tensorboard_log.require()
    out = distributed.broadcast(Path(config.out) if config.out else default_out(config))
    check_new_run_dir(out)
    device = distributed.device_for(choose_device(config.device))
    prepared = prepare(config, device, warn)
    run_dir = _for_every_process(lambda: RunDir.create(out), out)
    return _train(resolve(config, len(prepared.train)), prepared, run_dir, device, log, warn)


def prepare_data(config: RunConfig, warn: Callable[[str], None] = warn_on_stderr):
    """The data of `config` loaded, split and preprocessed once, for many trainings that differ
    in model and training settings only (lrnn tune): (Prepared, device)."""
    check_combinations(config)
    device = choose_device(config.device)
    return prepare(config, device, warn), device


def fit_only(config: RunConfig, prepared, device,
             on_epoch: Callable[[dict], bool] | None = None) -> tuple[RunConfig, History, Any]:
    """Train one model on `prepared`'s training split and write nothing: the validation split
    is scored every epoch (`on_epoch(row)` sees it and may stop training), the test split is
    not touched. Returns (the resolved config, the history, the trained torch model)."""
    config = resolve(config, len(prepared.train))
    seed_everything(config.seed, config.deterministic)
    train, n_classes = prepared.train, prepared.dataset.n_classes
    if config.class_weight == "balanced":
        train = balanced_weights(train, n_classes)
    model = build(architecture(config, prepared.preprocessor.n_features, n_classes)).to(device)
    trainer = Trainer(model, config, n_classes, train, prepared.val, None,
                      log=lambda message: None, on_epoch=on_epoch)
    with threads_for(model, device):
        history = trainer.fit()
    return config, history, model


def _for_every_process(open_as_writer: Callable[[], RunDir], path: Path) -> RunDir:
    """Process 0 opens (and locks) the run folder; the others follow once it could."""
    if not distributed.current().enabled:
        return open_as_writer()
    run_dir, failure = None, None
    if distributed.current().is_main:
        try:
            run_dir = open_as_writer()
        except Exception as exc:  # re-raised below, once every process knows
            failure = exc
    if not distributed.all_agree(failure is None):
        raise failure or InputError(f"{path}: process 0 could not open the run folder")
    return run_dir or RunDir.follower(path)


def resume(path: Path, given: dict[str, Any], log: Callable[[str], None] = print,
           warn: Callable[[str], None] = warn_on_stderr) -> Run:
    """Continue the run in `path` from its newest checkpoint, with the safe changes in
    `given` (settings the user named)."""
    run_dir = _for_every_process(lambda: RunDir.open_existing(Path(path)), Path(path))
    try:
        source, saved = checkpoints.newest(run_dir.checkpoints, warn, clean=run_dir.is_writer)
        config = resuming.resumed_config(saved["config"], given, str(source), warn)
        device = distributed.device_for(choose_device(config.device))
        prepared = prepare(config, device, warn)
        resuming.check_data(saved["data_fingerprint"], resuming.data_fingerprint(prepared),
                            str(source))
    except BaseException:
        run_dir.close(completed=False)
        raise
    log(f"resuming {path} from {source.name} (epoch {saved['trainer']['position']['epoch']}, "
        f"step {saved['trainer']['position']['step']})")
    return _train(config, prepared, run_dir, device, log, warn, saved["trainer"])


def _train(config: RunConfig, prepared, run_dir: RunDir, device, log, warn,
           resume_state: dict | None = None) -> Run:
    from .run_summary import Timings

    completed = trained = False
    try:
        timings = Timings()
        dataset, pre, train = prepared.dataset, prepared.preprocessor, prepared.train
        seed_everything(config.seed, config.deterministic)
        if config.class_weight == "balanced":
            train = balanced_weights(train, dataset.n_classes)
        arch = architecture(config, pre.n_features, dataset.n_classes)
        model = build(arch).to(device)
        log(f"{config.model} on {config.source_name} ({dataset.source}): {len(train):,} train / "
            f"{len(prepared.val) if prepared.val else 0:,} validation / {len(prepared.test):,} "
            f"test rows, {pre.n_features} features, {dataset.n_classes} classes; "
            f"{config.optimizer} on {device}")
        timings.lap("load")
        writer = CheckpointWriter(run_dir, config, prepared)
        trainer = _trainer(model, config, dataset.n_classes, train, prepared, log, writer,
                           resume_state, run_dir)
        with threads_for(model, device):
            history = trainer.fit()
        trained = True
        timings.lap("train")
        metrics = {}
        if run_dir.is_writer:  # under torchrun process 0 scores and saves, the others wait
            metrics = _score_and_save(run_dir, model, config, prepared, arch, history, device,
                                      timings, log)
        completed = True
    finally:
        run_dir.close(completed)
        # under torchrun: process 0 may fail saving after the others finished training; all
        # that got this far meet here, so none waits for ever. One that failed while training
        # must not: the others are inside a gradient exchange, and torchrun stops them anyway.
        everyone_done = distributed.all_agree(completed) if trained else completed
    if not everyone_done:
        raise InputError("another process of this torchrun job failed; see its message")
    log(f"saved {run_dir.path}")
    return Run(run_dir.path, config, metrics, history)


def _score_and_save(run_dir, model, config, prepared, arch, history, device, timings, log):
    info = model_info(config, prepared.dataset, arch, prepared.preprocessor)
    weights = numpy_weights(model)
    metrics, scored = score(prepared, info, weights, config, history, device, timings)
    timings.lap("evaluate")
    log(f"test accuracy {metrics['test']['accuracy']:.2%}  loss {metrics['test']['loss']:.4f}")
    save(run_dir, weights, info, config, metrics, history, scored, timings)
    return metrics


def _trainer(model, config, n_classes, train, prepared, log, writer, resume_state, run_dir):
    try:
        return Trainer(model, config, n_classes, train, prepared.val, prepared.test, log, writer,
                       resume_state)
    except (RuntimeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        if resume_state is None:
            raise
        first = str(exc).strip().splitlines()[0][:160]
        raise ArtifactError(f"{run_dir.checkpoints}: the newest checkpoint does not fit this "
                            f"model ({exc.__class__.__name__}: {first})") from None


class CheckpointWriter:
    """The training loop's one way to write: a checkpoint of its state, with what resuming
    needs to check (the settings, the data's fingerprint, the versions)."""

    def __init__(self, run_dir: RunDir, config: RunConfig, prepared):
        self.run_dir, self.config, self.prepared = run_dir, config, prepared
        self._fingerprint: str | None = None

    def __call__(self, step: int, trainer_state: dict) -> None:
        """Called on process 0 only (training.Trainer._checkpoint)."""
        if self._fingerprint is None:  # hashing the data waits for the first checkpoint
            self._fingerprint = resuming.data_fingerprint(self.prepared)
        state = {"trainer": trainer_state, "config": self.config.to_dict(),
                 "data_fingerprint": self._fingerprint, "lrnn_version": __version__,
                 "torch_version": torch.__version__}
        try:
            checkpoints.write(self.run_dir.checkpoints, step, state)
        except OSError as exc:
            from .run_dir import storage_error

            raise storage_error(self.run_dir.checkpoints, exc) from None
