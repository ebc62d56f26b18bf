"""Run folders and the files in them: safe reads (safe_io.py), strict JSON with schemas
(json_checks.py, model_schema.py), atomic writes (files.py), model.json (model_json.py),
the weights (weights.py), a run folder while a run writes it (run_dir.py), a saved run's files
read back (run_files.py), the CSV files (tables.py) and the run's record of its data, timings
and environment (summary.py). Nothing here imports torch, and this front imports no numpy
(the weights' names are looked up in weights.py when first used): an IDX file is read
through safe_io before numpy is imported (data/idx/early_read.py)."""

from .files import read_bytes, require_run_dir, umask_mode, write_atomic, write_json
from .json_checks import parse_json
from .model_json import FORMAT_VERSION, MODEL_JSON, describe_model, read_info, write_model_json
from .safe_io import open_regular, read_regular

WEIGHT_NAMES = ("WEIGHTS", "LoadedModel", "load_run", "save_weights")  # weights.py, numpy's

__all__ = ["FORMAT_VERSION", "MODEL_JSON", "describe_model", "open_regular", "parse_json",
           "read_bytes", "read_info", "read_regular", "require_run_dir", "umask_mode",
           "write_atomic", "write_json", "write_model_json", *WEIGHT_NAMES]


def __getattr__(name: str):
    if name in WEIGHT_NAMES:
        from . import weights

        return getattr(weights, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
