"""The parts of lrnn the server uses, imported in this one place."""

from __future__ import annotations

from .._version import __version__
from ..data.tables.in_memory import InMemoryCsv
from ..data.tables.reader import EXTRA_MISSING, INTEGER_PATTERN, NUMBER_PATTERN, read_table
from ..errors import ArtifactError, InputError, LrnnError
from ..models.numpy_forward import predicted_classes, probabilities
from ..predict import Predictor
from ..preprocessing import PIXEL_SCALE
from ..preprocessing.digits import prepare_digit
from ..preprocessing.tables import as_text

__all__ = ["__version__", "InMemoryCsv", "EXTRA_MISSING", "INTEGER_PATTERN", "NUMBER_PATTERN",
           "read_table", "ArtifactError", "InputError", "LrnnError", "predicted_classes",
           "probabilities", "Predictor", "PIXEL_SCALE", "prepare_digit", "as_text"]
