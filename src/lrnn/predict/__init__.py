"""Using a saved run: the Predictor (a run's preprocessing and model applied to raw rows or
images, in numpy), reading the inputs of `lrnn predict` and checking them against the run's
schema, writing predictions, and scoring a saved run on labelled data. No torch here."""

from .predictor import Predictor

__all__ = ["Predictor"]
