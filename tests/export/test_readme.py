"""Must show 2, and the README's examples as written: the two Python blocks of "Export to
ONNX" run in a fresh interpreter that imports neither lrnn nor torch (checked in its own
sys.modules), and their answers are lrnn predict's."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from lrnn.export import export_run
from lrnn.predict import Predictor
from tests.export.conftest import mnist_test_images

README = Path(__file__).resolve().parents[2] / "README.md"
# appended to each example: what it computed, and what the interpreter had imported
REPORT = """
import json, sys
json.dump({"labels": [str(v) for v in labels], "probabilities": probabilities.tolist(),
           "modules": sorted(sys.modules)}, open("answer.json", "w"))
"""


def examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Export to ONNX\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def _run_example(code: str, folder: Path) -> dict:
    (folder / "example.py").write_text(code + REPORT)
    result = subprocess.run([sys.executable, "example.py"], cwd=folder, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answer = json.loads((folder / "answer.json").read_text())
    imported = {m.split(".")[0] for m in answer["modules"]}
    assert "onnxruntime" in imported and not {"lrnn", "torch"} & imported
    return answer


def test_two_examples():
    mnist, table = examples()
    assert "mnist.onnx" in mnist and "chile.onnx" in table
    assert all("lrnn" not in re.findall(r"import (\w+)", code) for code in (mnist, table))


def test_mnist_example(mnist_logreg_run, mnist_dir, tmp_path):
    export_run(mnist_logreg_run, tmp_path / "mnist.onnx")
    shutil.copy(mnist_dir / "t10k-images-idx3-ubyte.gz", tmp_path)
    answer = _run_example(examples()[0], tmp_path)
    images = mnist_test_images(mnist_dir)
    predictor = Predictor.load(mnist_logreg_run)
    assert answer["labels"] == predictor.predict(images).tolist()
    assert np.abs(np.array(answer["probabilities"]) - predictor.predict_proba(images)).max() <= 1e-5


def test_csv_example(csv_run, tmp_path):
    from lrnn.data.tables.reader import read_table

    run, test_file = csv_run
    export_run(run, tmp_path / "chile.onnx")  # the names the example reads, another table's
    (tmp_path / "tests" / "fixtures").mkdir(parents=True)  # file (gaps, dates, new categories)
    shutil.copy(test_file, tmp_path / "tests" / "fixtures" / "chile.csv")
    answer = _run_example(examples()[1], tmp_path)
    predictor = Predictor.load(run)
    table = read_table(test_file)
    assert answer["labels"] == predictor.predict(table).tolist()
    assert np.abs(np.array(answer["probabilities"]) - predictor.predict_proba(table)).max() <= 1e-5
