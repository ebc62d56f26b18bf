"""The flags of `lrnn tune`: every setting of `lrnn train` (each given one is fixed for the
search), and the search's own."""

from __future__ import annotations

import argparse

from .arg_types import positive_count
from .train_flags import add_setting_flags


def add_tune_flags(tune: argparse.ArgumentParser) -> None:
    search = tune.add_argument_group("search")
    search.add_argument("--trials", type=positive_count, default=None, metavar="N",
                        help="finished trials the study should have; re-running continues to "
                             "N (default: 30, or unlimited with --timeout)")
    search.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="start no trial after this long (default: none)")
    search.add_argument("--space", default=None, metavar="FILE.toml",
                        help="search space replacing the default one (see README)")
    search.add_argument("--metric", choices=("val_loss", "accuracy", "f1", "roc_auc"),
                        default="val_loss", help="validation score to optimize; f1 is "
                                                 "macro-averaged (default: val_loss)")
    search.add_argument("--sampler", choices=("tpe", "random"), default="tpe",
                        help="how trials are proposed (default: tpe)")
    search.add_argument("--pruner", choices=("median", "halving", "none"), default="median",
                        help="how poor trials are stopped early; lbfgs trials never are "
                             "(default: median)")
    search.add_argument("--out", default=None, metavar="DIR",
                        help="the study's folder: journal, best/, trials.csv, study.html "
                             "(default: runs/tune-<dataset>-<model>)")
    search.add_argument("--refit", action=argparse.BooleanOptionalAction, default=True,
                        help="train best/ on the training and validation rows together, as "
                             "RandomizedSearchCV refits (default: on; --no-refit: best/ is the "
                             "best trial itself, on the training rows)")
    search.add_argument("--workers", type=positive_count, default=None, metavar="K",
                        help="trials run at once by K processes on this machine (default: "
                             "for a small training split one a CPU core, fewer for few "
                             "trials; else 1); --seed repeats the same trials with 1")
    search.add_argument("--storage", default=None, metavar="URL",
                        help="postgresql://... or mysql+pymysql://...: a database that workers "
                             "on other machines join (default: a journal file in DIR)")
    search.add_argument("--study", default=None, metavar="NAME",
                        help="the study's name in the storage (default: <dataset>-<model>)")
    tune.add_argument("--config", metavar="FILE.toml", default=argparse.SUPPRESS,
                      help="fixed settings file, as for lrnn train")
    add_setting_flags(tune, skip=("out",))
