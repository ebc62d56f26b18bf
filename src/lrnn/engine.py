"""The lifecycle in one place, wiring the stages and nothing else (DESIGN.md, "Data flow"):
run(config) loads, splits, preprocesses, builds, trains, evaluates, draws and saves;
resume(run_dir) continues a run from its newest checkpoint through the same steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import torch

from .artifacts.model_json import describe_model, image_schema, table_schema
from .artifacts.run_dir import RunDir
from .artifacts.summary import RunRecord, describe
from .config import RunConfig, check_combinations, training_settings
from .config.recipes import resolve
from .console import Console
from .errors import ArtifactError, PeerFailed
from .evaluation.scoring import score_test
from .models import memory
from .models.torch_models import architecture, build, numpy_weights
from .preprocessing.prepare import Prepared, TrainData, prepare
from .reporting.run_outputs import FinishedRun, publish
from .training import checkpoints, distributed, resume as resuming
from .training.device import choose_device, seed_everything, threads_for
from .training.loop import Trainer
from .training.state import History


@dataclass(frozen=True)
class Run:
    run_dir: Path
    config: RunConfig  # resolved: every setting filled
    metrics: dict[str, Any]
    history: History

    def __repr__(self) -> str:
        accuracy = self.metrics.get("test", {}).get("accuracy")
        shown = f"{accuracy:.4f}" if accuracy is not None else "None"
        return (f"Run(run_dir={str(self.run_dir)!r}, model={self.config.model!r}, "
                f"data={self.config.source_name!r}, epochs={len(self.history.epochs)}, "
                f"test_accuracy={shown})")


def default_out(config: RunConfig) -> Path:
    """runs/<data>-<model>-<time>; RunDir.claim adds -2, -3... when that is taken."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{config.source_name}-{config.model}-{stamp}"


def run(config: RunConfig, console: Console | None = None, frame=None) -> Run:
    """A new run. Every input is checked before its folder is created. `frame` is the pandas
    DataFrame that config.data names (IN_MEMORY) when lrnn.train was given one."""
    console = console or Console()
    check_combinations(config)
    if config.tensorboard:
        from .reporting import tensorboard

        tensorboard.require()
    out = distributed.broadcast(Path(config.out) if config.out else default_out(config))
    if config.out:
        RunDir.check_new(out)
    device = distributed.device_for(choose_device(config.device))
    prepared = prepare(config, device, console, frame)
    config = resolve(config, len(prepared.train))
    arch = architecture(config, prepared.preprocessor.n_features, prepared.dataset.n_classes)
    memory.check_fits(arch, config, len(prepared.train), device)
    open_dir = (lambda: RunDir.create(out)) if config.out else (lambda: RunDir.claim(out))
    run_dir = _for_every_process(open_dir, out)
    return _train(config, prepared, run_dir, device, console)


def resume(path: Path, given: dict[str, Any], console: Console | None = None) -> Run:
    """Continue the run in `path` from its newest checkpoint, with the safe changes in
    `given` (settings the user named)."""
    console = console or Console()
    run_dir = _for_every_process(lambda: RunDir.open_existing(Path(path)), Path(path))
    try:
        source, saved = checkpoints.newest(run_dir.checkpoints, console, clean=run_dir.is_writer)
        config = resuming.resumed_config(saved["config"], given, str(source), console)
        device = distributed.device_for(choose_device(config.device))
        prepared = prepare(config, device, console)
        resuming.check_data(saved["data_fingerprint"], resuming.data_fingerprint(prepared),
                            str(source))
    except BaseException:
        run_dir.close(completed=False)
        raise
    position = saved["trainer"]["position"]
    console.log(f"resuming {path} from {source.name} (epoch {position['epoch']}, step "
                f"{position['step']})")
    return _train(config, prepared, run_dir, device, console, saved["trainer"])


def train_or_resume(values: dict[str, Any], resume_from: str | None, console: Console) -> Run:
    """`lrnn train`: a new run, or --resume; a job that torchrun restarted after a failure goes
    on from the newest checkpoint in its --out."""
    from .config import build_config

    folder = Path(resume_from or values.get("out") or "")
    restarted = distributed.current().restart > 0 and bool(values.get("out")) and \
        bool(checkpoints.checkpoint_files(folder / "checkpoints"))
    if resume_from or restarted:
        return resume(folder, {k: v for k, v in values.items() if k != "out"}, console)
    return run(build_config(values), console)


def prepare_data(config: RunConfig, console: Console | None = None) -> tuple[Prepared, Any]:
    """The data of `config` loaded, split and preprocessed once, for many trainings that differ
    in model and training settings only (lrnn tune): (Prepared, device)."""
    check_combinations(config)
    device = choose_device(config.device)
    return prepare(config, device, console or Console.silent()), device


def fit_only(config: RunConfig, prepared: Prepared, device,
             on_epoch: Callable[[dict], bool] | None = None) -> tuple[RunConfig, History, Any]:
    """Train one model on `prepared`'s training split and write nothing: the validation split
    is scored every epoch (`on_epoch(row)` sees it and may stop training; an exception it
    raises ends the training), the test split is not touched. Returns (the resolved config,
    the history, the trained torch model)."""
    config = resolve(config, len(prepared.train))
    model, train = _model_and_rows(config, prepared, device)
    trainer = Trainer(model, training_settings(config), prepared.dataset.n_classes, train,
                      prepared.val, None, Console.silent(), on_epoch=on_epoch)
    with threads_for(model, device):
        history = trainer.fit()
    return config, history, model


def _model_and_rows(config: RunConfig, prepared: Prepared, device) -> tuple[Any, TrainData]:
    """A new model for the resolved `config` (seeded) and the training rows it trains on
    (class weights applied)."""
    seed_everything(config.seed, config.deterministic)
    arch = architecture(config, prepared.preprocessor.n_features, prepared.dataset.n_classes)
    memory.check_fits(arch, config, len(prepared.train), device)
    train = prepared.train
    if config.class_weight == "balanced":
        train = balanced_weights(train, prepared.dataset.n_classes)
    return build(arch).to(device), train


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
        raise failure or PeerFailed(f"{path}: process 0 could not open the run folder")
    chosen = distributed.broadcast(run_dir.path if run_dir else None)  # claim may add -2
    return run_dir or RunDir.follower(chosen)


def balanced_weights(train: TrainData, n_classes: int) -> TrainData:
    """Rows weighted n / (n_classes * rows of their class), as scikit-learn's "balanced"."""
    counts = torch.bincount(train.y, minlength=n_classes).to(torch.float32)
    per_class = len(train) / (n_classes * counts.clamp(min=1))
    return TrainData(train.X, train.y, per_class[train.y])


def _train(config: RunConfig, prepared: Prepared, run_dir: RunDir, device, console: Console,
           resume_state: dict | None = None) -> Run:
    completed = trained = False
    record = RunRecord(str(device), distributed.current().world)
    try:
        model, train = _model_and_rows(config, prepared, device)
        console.log(_summary_line(config, prepared, device))
        record.timings.lap("load")
        trainer = _trainer(model, train, config, prepared, console, run_dir, resume_state)
        with threads_for(model, device):
            history = trainer.fit()
        trained = True
        record.timings.lap("train")
        metrics = {}
        if run_dir.is_writer:  # under torchrun process 0 scores and saves, the others wait
            metrics = _score_and_save(run_dir, model, config, prepared, history, record, console)
        completed = True
    finally:
        run_dir.close(completed)
        # under torchrun: process 0 may fail saving after the others finished training; all
        # that got this far meet here, so none waits for ever. One that failed while training
        # must not: the others are inside a gradient exchange, and torchrun stops them anyway.
        everyone_done = distributed.all_agree(completed) if trained else completed
    if not everyone_done:
        raise PeerFailed("another process of this torchrun job failed; see its message")
    console.log(f"saved {run_dir.path}")
    return Run(run_dir.path, config, metrics, history)


def _summary_line(config: RunConfig, prepared: Prepared, device) -> str:
    dataset, val = prepared.dataset, prepared.val
    return (f"{config.model} on {config.source_name} ({dataset.source}): {len(prepared.train):,} "
            f"train / {len(val) if val else 0:,} validation / {len(prepared.test):,} test rows, "
            f"{prepared.preprocessor.n_features} features, {dataset.n_classes} classes; "
            f"{config.optimizer} on {device}")


def _trainer(model, train: TrainData, config: RunConfig, prepared: Prepared, console: Console,
             run_dir: RunDir, resume_state: dict | None) -> Trainer:
    writer = CheckpointWriter(run_dir, config, prepared)
    try:
        return Trainer(model, training_settings(config), prepared.dataset.n_classes, train,
                       prepared.val, prepared.test, console, writer, resume_state,
                       resume_hint=f"lrnn train --resume {run_dir.path}")
    except (RuntimeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        if resume_state is None:
            raise
        first = str(exc).strip().splitlines()[0][:160]
        raise ArtifactError(f"{run_dir.checkpoints}: the newest checkpoint does not fit this "
                            f"model ({exc.__class__.__name__}: {first})") from None


def model_description(config: RunConfig, prepared: Prepared, arch: dict) -> dict[str, Any]:
    """model.json of a `lrnn train` run (artifacts/model_json.py), but the weights' sha256."""
    dataset, pre = prepared.dataset, prepared.preprocessor
    if dataset.image_shape is not None:
        schema, typing = image_schema(dataset.image_shape), {}
    else:
        schema = table_schema(pre.input_columns, dataset.schema.dropped, config.target,
                              config.id_column)
        typing = {"column_typing": dataset.schema.typing(dataset.feature_names, config.target,
                                                         config.id_column)}
    return describe_model(dataset=config.source_name, classes=dataset.classes,
                          threshold=config.threshold, architecture=arch,
                          preprocessing=pre.to_json(), input_schema=schema, **typing)


def _score_and_save(run_dir, model, config: RunConfig, prepared: Prepared, history: History,
                    record: RunRecord, console: Console) -> dict:
    arch = architecture(config, prepared.preprocessor.n_features, prepared.dataset.n_classes)
    info = model_description(config, prepared, arch)
    weights = numpy_weights(model)
    pre = prepared.preprocessor
    metrics, scored = score_test(prepared.test.X.cpu().numpy(), prepared.test_y, info, weights,
                                 pre.feature_names if pre.kind == "table" else None)
    metrics.update(describe(prepared.dataset, pre.n_features, info, prepared.split_labels(),
                            history, record))
    record.timings.lap("evaluate")
    console.log(f"test accuracy {metrics['test']['accuracy']:.2%}  loss "
                f"{metrics['test']['loss']:.4f}")
    # `out` is where this run lives, not how it trains: left out so that config.toml can be
    # reused as --config for a new run.
    settings = {k: v for k, v in config.applying().items() if k != "out"}
    publish(run_dir, FinishedRun(info, weights, settings, f"{config.model} on "
                                 f"{config.source_name}", metrics, history, scored,
                                 config.tensorboard, config.plots), record)
    return metrics


class CheckpointWriter:
    """The training loop's one way to write: a checkpoint of its state, with what resuming
    needs to check (the settings, the data's fingerprint, the versions)."""

    def __init__(self, run_dir: RunDir, config: RunConfig, prepared: Prepared):
        self.run_dir, self.config, self.prepared = run_dir, config, prepared
        self._fingerprint: str | None = None

    def __call__(self, step: int, trainer_state: dict) -> None:
        """Called on process 0 only (training/callbacks/checkpointing.py)."""
        from ._version import __version__
        from .artifacts.run_dir import storage_error

        if self._fingerprint is None:  # hashing the data waits for the first checkpoint
            self._fingerprint = resuming.data_fingerprint(self.prepared)
        state = {"trainer": trainer_state, "config": self.config.to_dict(),
                 "data_fingerprint": self._fingerprint, "lrnn_version": __version__,
                 "torch_version": torch.__version__}
        try:
            checkpoints.write(self.run_dir.checkpoints, step, state)
        except OSError as exc:
            raise storage_error(self.run_dir.checkpoints, exc) from None
