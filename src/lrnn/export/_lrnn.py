"""The pieces of lrnn that export uses, named in this one place (each a stage to the left of
export in the data flow, or the artifacts and errors every stage uses)."""

from __future__ import annotations

from .. import __version__
from ..artifacts import MODEL_JSON, WEIGHTS, load_run, write_atomic
from ..config import DEFAULT_DATASET, SETTINGS, build_config
from ..data import load as load_dataset
from ..data.columns import check_numbers
from ..data.idx import read_pair
from ..data.idx_datasets import locate, where_is
from ..data.registry import IDX_REGISTRY
from ..data.split import split_rows, take_rows
from ..errors import ArtifactError, InputError, LrnnError
from ..inference import LEAKY_SLOPE, predicted_classes, probabilities
from ..predict import Predictor
from ..preprocessing.images import PIXEL_SCALE
from ..preprocessing.tables import as_text, width
from ..run_dir import storage_error

__all__ = ["__version__", "MODEL_JSON", "WEIGHTS", "load_run", "write_atomic",
           "DEFAULT_DATASET", "SETTINGS", "build_config", "load_dataset", "check_numbers",
           "read_pair", "locate", "where_is", "IDX_REGISTRY", "split_rows", "take_rows",
           "ArtifactError", "InputError", "LrnnError", "LEAKY_SLOPE", "predicted_classes",
           "probabilities", "Predictor", "PIXEL_SCALE", "as_text", "width", "storage_error"]
