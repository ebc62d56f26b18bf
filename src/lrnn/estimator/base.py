"""What both estimators share: prediction through the numpy forward pass of inference.py (the
one used by `lrnn predict`, so a saved estimator predicts exactly as it did in memory), saving
to a run directory, and scikit-learn's tags."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ..console import Console
from ..models.numpy_forward import NumpyModel, predicted_classes, probabilities
from .fitting import check_predict_input

THRESHOLD = 0.5  # binary: the positive class when its probability >= 0.5, as scikit-learn
# Weights are kept, saved and applied in float64, as scikit-learn's: L-BFGS's float64 answer
# stays exact, and a row's prediction does not depend on the rows beside it (inference.py).
FORWARD_DTYPE = "float64"


class LrnnClassifier(ClassifierMixin, BaseEstimator):
    """Subclasses set, when fitted, `classes_` and what `_architecture()` and
    `_state_weights()` need: the model as models.torch_models.build and
    models.numpy_forward.NumpyModel describe it."""

    def _architecture(self) -> dict:
        raise NotImplementedError

    def _state_weights(self) -> dict[str, np.ndarray]:
        """The fitted weights by tensor name (models.py), built from the public attributes so
        that predictions always follow coef_ / coefs_."""
        raise NotImplementedError

    def _logits(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = check_predict_input(self, X)
        return NumpyModel(self._architecture(), self._state_weights()).logits(X)

    def decision_function(self, X) -> np.ndarray:
        """Logits: shape (n_samples,) for two classes (the positive class's log-odds),
        (n_samples, n_classes) for more."""
        logits = self._logits(X).astype(np.float64)
        return logits[:, 0] if logits.shape[1] == 1 else logits

    def predict_proba(self, X) -> np.ndarray:
        return probabilities(self._logits(X))

    def predict_log_proba(self, X) -> np.ndarray:
        return np.log(self.predict_proba(X))

    def predict(self, X) -> np.ndarray:
        index = predicted_classes(self._logits(X), THRESHOLD)  # checks fitted first
        return self.classes_[index]

    def save(self, path) -> None:
        """Write a run directory (model.safetensors + model.json; no pickle) that `lrnn.load`
        reads back as this estimator and `lrnn predict` can use. `path` must be new or empty."""
        from .saving import save

        save(self, path)

    def to_onnx(self, path, *, opset: int | None = None, force: bool = False, X=None):
        """Write one ONNX file (input `X`, float32 [N, n_features]; outputs `label` and
        `probabilities`), checked with onnxruntime against `predict_proba` on generated rows
        and on `X` if given. Needs `pip install 'lrnn[export]'`. Returns an ExportResult."""
        check_is_fitted(self)
        from ..export import export_estimator

        return export_estimator(self, path, opset=opset, force=force, X=X)

    def _console(self) -> Console:
        """Training's lines when verbose; never a progress bar (scikit-learn prints none)."""
        return Console(bars=False) if self.verbose else Console.silent()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
