"""`lrnn predict RUN INPUT... -o OUT.csv`: read the inputs, predict, write one CSV row per
input (the id column or file name, the predicted label, one probability per class)."""

from __future__ import annotations

from pathlib import Path

from ..artifacts.files import check_output_file, write_atomic
from ..artifacts.tables import predictions_csv
from ..errors import InputError
from ..models.numpy_forward import predicted_classes, probabilities
from .predictor import Predictor
from .table_inputs import FileFormat, table_rows


def predict_files(run_dir, inputs: list[str], output, console, force: bool = False,
                  fmt: FileFormat = FileFormat(), prepare_digits: bool = False) -> int:
    """Write the predictions of the run in `run_dir` for `inputs` to `output`; the number of
    rows written. `prepare_digits`: image files of any size are prepared as MNIST's digits
    were (preprocessing/digits.py) first."""
    output = Path(output)
    check_output_file(output, inputs, force)
    predictor = Predictor.load(run_dir)
    if prepare_digits and not predictor.image_shape:
        raise InputError(f"--prepare-digits: {run_dir} is a table model; the flag is for "
                         f"images of digits")
    if predictor.image_shape:
        X, ids = _image_rows(predictor, inputs, prepare_digits)
    else:
        if len(inputs) != 1:
            raise InputError(f"expected one table file for this model, found {len(inputs)} "
                             f"inputs")
        X, ids = table_rows(predictor, inputs[0], fmt, console)
    logits = predictor.model.logits(X)
    labels = predicted_classes(logits, predictor.threshold)
    write_atomic(output, predictions_csv(predictor.classes, labels, probabilities(logits), ids))
    return len(labels)


def _image_rows(predictor, inputs: list[str], prepare_digits: bool):
    from ..preprocessing.digits import prepare_digits as prepare
    from .image_inputs import read_image_inputs

    X, names = read_image_inputs(inputs, predictor.image_shape, prepare if prepare_digits else None)
    what = inputs[0] if len(inputs) == 1 else f"{len(inputs)} image files"  # for messages
    return predictor.preprocessor.transform(X, what), ("file", names) if names else None
