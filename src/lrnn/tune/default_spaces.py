"""The search spaces `lrnn tune` uses without --space: what a practitioner would try first.

Logistic regression: the L2 strength C on a log scale (scikit-learn's usual 1e-3..1e3), and,
when it trains by mini-batches (more than lrnn train's small-data rows, or --optimizer given),
the learning rate and the batch size. MLP: one to three hidden layers (two on large data, where
each trial must stay short) and their widths on a log scale, the activation, dropout, alpha
and, for mini-batch optimizers, the learning rate and the batch size; on large data the ranges
are narrowed to what can win within minutes there (MNIST: rates below 1e-3 or alpha above 1e-2
never came near the default settings in 6 to 20 epochs). Training length stays
bounded by lrnn train's recipe (at least 2,000 steps on small data) or, on large data, a
searched 5..20 epochs; early stopping ends hopeless trials, pruning the poor ones sooner.
"""

from __future__ import annotations

from typing import Any

from ._lrnn import RunConfig, recipe_optimizer, small_rows
from .space import Space, space_from

WHERE = "the default search space"


def default_space(config: RunConfig, n_train: int) -> Space:
    small = n_train <= small_rows()
    raw: dict[str, Any] = {"C": {"low": 1e-3, "high": 1e3, "log": True}}
    if config.model == "mlp":
        raw = {
            "hidden_layer_sizes": {"layers": {"low": 1, "high": 3 if small else 2},
                                   "width": {"low": 32 if small else 256,
                                             "high": 512 if small else 1024, "log": True}},
            "activation": {"choices": ["relu", "tanh", "gelu"] if small else ["relu", "gelu"]},
            "dropout": {"low": 0.0, "high": 0.5},
            "alpha": {"low": 1e-6, "high": 1e-1 if small else 1e-2, "log": True},
        }
    if recipe_optimizer(config, n_train) != "lbfgs":
        raw["lr"] = {"low": 1e-3, "high": 0.3, "log": True} if config.model == "logreg" \
            else {"low": 1e-4 if small else 1e-3, "high": 3e-2, "log": True}
        raw["batch_size"] = {"choices": [32, 64, 128, 256] if small else [128, 256, 512]}
        if not small:
            raw["epochs"] = {"low": 5, "high": 20}
        raw["early_stopping"] = True
        raw["patience"] = 10
    return space_from(raw, WHERE)


def as_toml(space: Space) -> str:
    """The space as a --space file (inline tables), to start one's own from."""
    lines = ["# lrnn tune --space FILE: a table is searched, a plain value is fixed"]
    lines += [f"{name} = {_value(v)}" for name, v in space.to_json()["fixed"].items()]
    lines += [f"{name} = {_table(spec)}" for name, spec in space.to_json()["searched"].items()]
    return "\n".join(lines) + "\n"


def _table(spec: dict) -> str:
    parts = [f"{k} = {_table(v) if isinstance(v, dict) else _value(v)}"
             for k, v in spec.items() if v is not None and not (k == "log" and v is False)]
    return "{ " + ", ".join(parts) + " }"


def _value(value: Any) -> str:
    import tomli_w

    if isinstance(value, list):  # on one line: TOML's inline tables take no line breaks
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value}, multiline_strings=False).strip()[len("v = "):]
