"""The two walkthrough notebooks (notebooks/*.ipynb): committed without outputs, run top to
bottom in a fresh kernel of this interpreter (on CPU here), each within the time limit, and the
numbers they print checked against independent arithmetic and against their run directories."""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
import time
from pathlib import Path

import nbclient
import nbformat
import pytest

import lrnn

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
NAMES = ("logistic_regression", "neural_network")
TIME_LIMIT_S = 120  # issue 8: each notebook runs in under 2 minutes on CPU
KERNEL = "lrnn-notebook-test"
# Appended to the executed copy only: which interpreter and which lrnn the kernel ran.
WHO_RAN = "import sys, lrnn\nprint(sys.executable)\nprint(lrnn.__file__)"


def read(name: str):
    return nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    notebook = read(name)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{name}.ipynb cell {cell.id}: clear the outputs before committing"


@pytest.mark.parametrize("name", NAMES)
def test_no_path_into_the_repository(name):
    code = "\n".join(c.source for c in read(name).cells if c.cell_type == "code")
    assert "fixtures" not in code and ".parent" not in code and "../" not in code


def test_the_shipped_table_is_the_fixture():
    from lrnn.data.samples import SLID

    assert SLID.read_bytes() == (NOTEBOOKS.parent / "tests" / "fixtures" / "slid.csv").read_bytes()


def _kernel_spec(folder: Path) -> None:
    """A kernel that runs this very interpreter, whatever kernels the machine has."""
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "lrnn tests", "language": "python"}))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Each notebook run once: name -> (notebook with outputs, seconds, its runs folder).
    The notebooks save their runs under the temporary folder (TMPDIR), removed afterwards."""
    root = tmp_path_factory.mktemp("notebooks")
    _kernel_spec(root / "jupyter")
    results = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", str(root / "jupyter"))
        patch.setenv("LRNN_CACHE_DIR", str(root / "cache"))  # MNIST only from $LRNN_DATA_DIR
        patch.setenv("LRNN_MIRRORS", "http://127.0.0.1:9/")  # never a download
        for name in NAMES:
            patch.setenv("TMPDIR", str(root / name))
            (root / name).mkdir()
            notebook = read(name)
            notebook.cells.append(nbformat.v4.new_code_cell(WHO_RAN, id="who-ran"))
            # run from a folder of its own, as in Colab or from the repository root: the
            # notebooks read only data that lrnn or scikit-learn ships (or MNIST, located as
            # everywhere), never a path relative to notebooks/
            client = nbclient.NotebookClient(notebook, kernel_name=KERNEL, timeout=600,
                                              resources={"metadata": {"path": str(root / name)}})
            started = time.perf_counter()
            client.execute()
            seconds = time.perf_counter() - started
            (runs,) = (root / name).glob("lrnn-notebook-*")
            results[name] = (notebook, seconds, runs)
    yield results
    shutil.rmtree(root, ignore_errors=True)


def cell(notebook, cell_id: str):
    (found,) = [c for c in notebook.cells if c.get("id") == cell_id]
    return found


def stdout(notebook, cell_id: str) -> str:
    return "".join(o.text for o in cell(notebook, cell_id).outputs
                   if o.output_type == "stream" and o.name == "stdout")


def shown_text(notebook, cell_id: str) -> str:
    """The text form of what the cell displays (its last expression)."""
    return "".join(o.data["text/plain"] for o in cell(notebook, cell_id).outputs
                   if "data" in o and "text/plain" in o.data)


def has_image(notebook, cell_id: str) -> bool:
    return any("data" in o and "image/png" in o.data for o in cell(notebook, cell_id).outputs)


def number_after(text: str, label: str) -> float:
    match = re.search(re.escape(label) + r"\s*([-+\d.e]+)", text)
    assert match, f"no number after {label!r} in:\n{text}"
    return float(match.group(1).rstrip("."))


def metrics_of(runs: Path, run: str) -> dict:
    return json.loads((runs / run / "metrics.json").read_text())["test"]


@pytest.mark.parametrize("name", NAMES)
def test_runs_in_this_interpreter_within_time(executed, name):
    notebook, seconds, _ = executed[name]
    assert stdout(notebook, "who-ran").split("\n")[:2] == [sys.executable, lrnn.__file__]
    assert seconds < TIME_LIMIT_S, f"{name}.ipynb took {seconds:.0f} s"


# --- logistic_regression.ipynb -------------------------------------------------------------


def least_squares_crossing(t: list[float], y: list[int]) -> float:
    """Where the least-squares line through (t, y) equals 0.5 (closed form)."""
    t_mean, y_mean = sum(t) / len(t), sum(y) / len(y)
    slope = sum((a - t_mean) * (b - y_mean) for a, b in zip(t, y)) / \
        sum((a - t_mean) ** 2 for a in t)
    return t_mean + (0.5 - y_mean) / slope


def test_fever_line(executed):
    notebook = executed["logistic_regression"][0]
    t, fever = [1, 5, 10, 10, 25, 50, 70, 75, 100], [0, 0, 0, 0, 0, 1, 1, 1, 1]
    first = stdout(notebook, "fever-data")
    low, high = (float(v) for v in re.search(r"line from ([-\d.]+) to ([-\d.]+)", first).groups())
    assert low < 0 and high > 1  # the line leaves [0, 1]
    assert number_after(first, "crosses 0.5 at t =") == round(least_squares_crossing(t, fever), 1)
    assert "misclassified 0 of 9" in first
    outlier = stdout(notebook, "fever-outlier")
    crossing = least_squares_crossing(t[:-1] + [300], fever)
    assert number_after(outlier, "crosses 0.5 at t =") == round(crossing, 1)  # 76.2: past 50..75
    assert "misclassified 3 of 9" in outlier
    sigmoid = stdout(notebook, "sigmoid-fit")
    assert 25 < number_after(sigmoid, "P = 0.5 at t =") < 50
    assert "misclassified 0 of 9" in sigmoid
    for figure in ("fever-plots", "sigmoid-plots"):
        assert has_image(notebook, figure), figure


def test_softmax_and_cross_entropy(executed):
    notebook = executed["logistic_regression"][0]
    logits = [1.3, 1.2, 4.5, 4.8]
    exps = [math.exp(z) for z in logits]
    softmax = [e / sum(exps) for e in exps]
    shown = re.search(r"= \[(.*)\]", stdout(notebook, "softmax")).group(1)
    assert [float(p) for p in shown.split(",")] == [0.017, 0.015, 0.412, 0.556] == \
        [round(p, 3) for p in softmax]
    text = stdout(notebook, "cross-entropy")
    right, wrong = (float(v) for v in re.findall(r"sure \(P\(true class\) = [\d.]+\): ([\d.e+-]+)",
                                                 text))
    assert right == pytest.approx(-math.log(1 - 0.00001), rel=1e-4)  # ~1e-5
    assert round(wrong, 2) == 11.51 == round(-math.log(0.00001), 2)
    four = number_after(stdout(notebook, "cross-entropy-softmax"), "4.8]:")
    assert four == pytest.approx(-math.log(softmax[3]), abs=1e-4)


def test_breast_cancer(executed):
    notebook, _, runs = executed["logistic_regression"]
    text = stdout(notebook, "breast-cancer")
    accuracy = number_after(text, "breast_cancer test accuracy")
    assert accuracy >= 0.95
    assert accuracy == round(metrics_of(runs, "breast-cancer")["accuracy"], 4)
    assert has_image(notebook, "breast-cancer-sigmoid")


TUTORIAL_LINE = r"iteration +(\d+) +loss [\d.]+ +test accuracy ([\d.]+)%"


def test_mnist_seven_steps(executed):
    notebook, _, runs = executed["logistic_regression"]
    by_hand = re.findall(TUTORIAL_LINE, stdout(notebook, "step7-train"))
    assert [int(step) for step, _ in by_hand] == [500, 1000, 1500, 2000, 2500, 3000]
    accuracies = [float(acc) / 100 for _, acc in by_hand]
    assert accuracies == sorted(accuracies)
    assert abs(accuracies[-1] - 0.825) <= 0.015  # the tutorial's result
    one_call = stdout(notebook, "tutorial-run")
    assert re.findall(TUTORIAL_LINE, one_call) == by_hand  # same seed, same batches
    assert "same test accuracies as the hand-written loop: True" in one_call
    saved = metrics_of(runs, "mnist-tutorial")
    assert round(saved["accuracy"], 4) == round(accuracies[-1], 4)
    assert "5 read as 3" in stdout(notebook, "confusion-matrix")
    matrix = saved["confusion_matrix"]
    assert matrix[5][3] == max(matrix[i][j] for i in range(10) for j in range(10) if i != j)
    for figure in ("step1-images", "step7-curve", "learning-curves", "confusion-matrix",
                   "weights"):
        assert has_image(notebook, figure), figure


def test_mnist_saved_and_loaded(executed):
    notebook, _, runs = executed["logistic_regression"]
    saved = round(metrics_of(runs, "mnist-tutorial")["accuracy"], 4)
    loaded = stdout(notebook, "load-run")
    assert number_after(loaded, "loaded model: test accuracy") == saved
    assert number_after(loaded, "saved metrics:") == saved
    assert number_after(stdout(notebook, "load-weights"), "test accuracy") == saved
    assert "model.safetensors" in shown_text(notebook, "run-files")


def test_gpu_cell(executed):
    import torch

    text = stdout(executed["logistic_regression"][0], "gpu")
    if torch.cuda.is_available():
        assert number_after(text, "test accuracy") >= 0.81
    else:
        assert "GPU training skipped" in text


# --- neural_network.ipynb --------------------------------------------------------------------


def test_table_typing_and_preprocessing(executed):
    notebook = executed["neural_network"][0]
    typing = stdout(notebook, "typing")
    assert "numbers:    ['wages', 'education', 'age']" in typing
    assert "categories: ['language']" in typing
    assert "'id': 'looks like an ID" in typing
    assert "4 columns in, 9 features out" in stdout(notebook, "preprocessor")


def test_mlp_and_logreg_on_the_same_split(executed):
    notebook, _, runs = executed["neural_network"]
    mlp, logreg = metrics_of(runs, "slid-mlp"), metrics_of(runs, "slid-logreg")
    evaluation = stdout(notebook, "evaluate-mlp")
    majority = number_after(evaluation, "majority class on the test rows:")
    assert majority == round(776 / 1485, 4)  # stratified 20 % of 3,880 women and 3,545 men
    assert number_after(evaluation, "mlp test accuracy") == round(mlp["accuracy"], 4)
    comparison = stdout(notebook, "compare")
    assert "same test rows: True" in comparison
    printed = {name: (float(accuracy), float(log_loss)) for name, accuracy, log_loss in
               re.findall(r"(\w+) test accuracy ([\d.]+)  log-loss ([\d.]+)", comparison)}
    for name, saved in (("mlp", mlp), ("logreg", logreg)):
        assert printed[name] == (round(saved["accuracy"], 4), round(saved["log_loss"], 4))
        assert saved["accuracy"] >= majority + 0.05  # clearly above always answering Female
    assert mlp["log_loss"] < logreg["log_loss"]  # as the notebook's text says
    for figure in ("learning-curves", "confusion-matrix", "roc", "coefficients"):
        assert has_image(notebook, figure), figure


def test_predictions_for_new_rows(executed):
    notebook = executed["neural_network"][0]
    assert "1 values not seen in training (such as 'Spanish')" in stdout(notebook, "new-rows")
    table = shown_text(notebook, "new-rows").splitlines()
    assert table[0].split()[-3:] == ["prediction", "P(Female)", "P(Male)"]
    rows = [line.split() for line in table[1:]]
    assert len(rows) == 4, table
    for row in rows:
        female, male = float(row[-2]), float(row[-1])
        assert female + male == pytest.approx(1, abs=0.0015)
        assert row[-3] == ("Male" if male >= 0.5 else "Female")
