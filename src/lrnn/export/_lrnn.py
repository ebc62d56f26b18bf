"""The pieces of lrnn that export uses, named in this one place (each a stage to the left of
export in the data flow, or the artifacts and errors every stage uses)."""

from __future__ import annotations

from .._version import __version__
from ..artifacts.files import read_bytes, write_atomic
from ..artifacts.model_json import MODEL_JSON
from ..artifacts.run_dir import storage_error
from ..artifacts.weights import WEIGHTS, load_run
from ..data.tables.columns import check_numbers
from ..errors import ArtifactError, InputError, LrnnError
from ..models.activations import LEAKY_SLOPE
from ..models.numpy_forward import predicted_classes, probabilities
from ..predict import Predictor
from ..predict.scoring import held_out_test
from ..preprocessing.images import PIXEL_SCALE
from ..preprocessing.tables import as_text, width

__all__ = ["__version__", "MODEL_JSON", "WEIGHTS", "load_run", "read_bytes", "write_atomic", "check_numbers",
           "held_out_test", "ArtifactError", "InputError", "LrnnError", "LEAKY_SLOPE",
           "predicted_classes", "probabilities", "Predictor", "PIXEL_SCALE", "as_text", "width",
           "storage_error"]
