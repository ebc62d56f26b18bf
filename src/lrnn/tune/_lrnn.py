"""The pieces of lrnn that the search uses, imported in this one place."""

from __future__ import annotations

from ..config import (MODELS, SETTINGS, RunConfig, build_config, parse_setting,  # noqa: F401
                      unknown_key_message)
from ..errors import InputError, LrnnError  # noqa: F401


def recipe_optimizer(config: RunConfig, n_train: int) -> str:
    """The optimizer `lrnn train` would use for this data and these settings."""
    from ..recipes import recipe_for

    return recipe_for(config, n_train)["optimizer"]


def resolve(config: RunConfig, n_train: int) -> RunConfig:
    from ..recipes import resolve as fill

    return fill(config, n_train)


def prepare_data(config: RunConfig, warn):
    from ..engine import prepare_data as prepare

    return prepare(config, warn)


def fit_only(config: RunConfig, prepared, device, on_epoch):
    from ..engine import fit_only as fit

    return fit(config, prepared, device, on_epoch)


def train_run(config: RunConfig):
    """A complete run directory through `lrnn train`'s own path (report, plots, predict);
    quiet: the search already said what the data and settings are."""
    from ..engine import run

    return run(config, log=lambda message: None, warn=lambda message: None)


def data_fingerprint(prepared) -> str:
    from ..resuming import data_fingerprint as fingerprint

    return fingerprint(prepared)


def validation_logits(model, prepared):
    """[N_val, K] logits of the validation rows, as numpy."""
    import torch

    from ..models import logits_of

    with torch.no_grad():
        return logits_of(model, prepared.val.X).cpu().numpy()


def evaluate(logits, y, classes, threshold: float) -> dict:
    from ..evaluation import evaluate as metrics

    return metrics(logits, y, classes, threshold)


def no_bars_in_this_thread():
    from ..progress import no_bars_in_this_thread as quiet

    return quiet()


def interactive() -> bool:
    from ..progress import interactive as watched

    return watched()


def write_atomic(path, text) -> None:
    from ..artifacts import write_atomic as write

    write(path, text)


def html_page():
    """(page, section, table, image, number) of lrnn's self-contained HTML pages."""
    from .. import htmlpage

    return htmlpage.page, htmlpage.section, htmlpage.table, htmlpage.image, htmlpage.number


def figures():
    from ..plots import figures as figs, save_figure

    return figs(), save_figure


def small_rows() -> int:
    """Training splits up to this many rows get lrnn train's small-data recipes."""
    from ..recipes import SMALL_ROWS

    return SMALL_ROWS


def progress_bar(total, desc: str, unit: str):
    from ..progress import progress_bar as bar

    return bar(total, desc, unit=unit)
