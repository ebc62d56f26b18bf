"""Every CSV bad input of RELIABILITY.md for training, through the real CLI: exit 2, one line
naming the file (and line or column), nothing written."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import lrnn_cli, snapshot

GOOD = "x,colour,y\n" + "".join(f"{i % 7},{'red' if i % 3 else 'blue'},{'a' if i % 2 else 'b'}\n"
                                  for i in range(40))


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


def train_without_plots(*args: str, **kwargs):
    """`lrnn train --no-plots ARGS`: these tests read model.json and the messages."""
    return lrnn_cli("train", "--no-plots", *args, **kwargs)


# name -> (file bytes, extra flags, expected message)
CASES = {
    "empty file": (b"", [], "found an empty file"),
    "header only": (b"x,colour,y\n", [], "expected data rows after the header, found none"),
    "blank lines only": (b"\n\n\n\n", [], "found an empty file"),
    "missing target column": (GOOD.encode(), ["--target", "label"],
                              "--target label: no such column in"),
    "target in another case": (GOOD.encode(), ["--target", "Y"],
                               "data.csv (did you mean 'y'?); columns: x, colour, y"),
    "a quantity as the target": (("x,colour,y\n" + "".join(f"{i},red,{i * 1.37:.2f}\n"
                                                           for i in range(40))).encode(), [],
                                 "target column 'y' has 40 distinct values in 40 rows"),
    "decimal commas": (("x;colour;y\n" + "".join(f"{i},5;red;{'ab'[i % 2]}\n"
                                                for i in range(40))).encode(),
                       ["--delimiter", ";"], "column 'x': numbers written with a comma, such "
                                             "as '0,5'; pass --decimal ','"),
    "duplicate column names": (b"x,x,y\n1,2,a\n3,4,b\n", [], "column name 'x' appears twice"),
    "empty column name": (b"x,,y\n1,2,a\n3,4,b\n", [], "column 2 has an empty name"),
    "too many fields": (b"x,colour,y\n1,red,a\n2,blue,b,extra\n3,red,a\n", [],
                        "line 3: expected 3 fields, found 4"),
    "too few fields": (b"x,colour,y\n1,red,a\n2,blue,b\n3,red\n", [],
                       "line 4: expected 3 fields, found 2"),
    "unterminated quote": (b'x,colour,y\n1,red,a\n2,"blue,b\n3,red,a\n', [],
                           "unterminated quote"),
    "infinity": (b"x,colour,y\n1,red,a\n2,blue,b\ninf,red,a\n4,red,b\n", [],
                 "line 4, column 'x': expected a finite number, found inf"),
    "1e999": (("x,colour,y\n" + "1,red,a\n2,blue,b\n" * 10 + "1e999,red,a\n").encode(), [],
              "line 22, column 'x': expected a finite number"),
    "text in a number column": (("x,colour,y\n" + "1.5,red,a\n2,blue,b\n" * 10 +
                                 "abc,red,a\n").encode(), [],
                                "line 22, column 'x': expected a number, found 'abc'"),
    "decimal comma": (("x,colour,y\n" + "1.5,red,a\n2,blue,b\n" * 10 +
                       '"1,5",red,a\n').encode(), [], "found '1,5' (a decimal comma?"),
    "one class": (b"x,colour,y\n1,red,a\n2,blue,a\n3,red,a\n", [],
                  "target column 'y' has only one class (a)"),
    "empty target cells": (b"x,colour,y\n1,red,a\n2,blue,\n3,red,b\n4,red,\n", [],
                           "2 missing cells in target column 'y' (line 3, line 5: empty or a missing "
                           "marker"),
    "too few rows for validation": (b"x,colour,y\n1,red,a\n2,blue,b\n3,red,a\n", [],
                                    "too few rows"),
    "only the target column": (b"y\na\nb\na\nb\n", [], "no feature columns left"),
    "not UTF-8": ("x,colour,y\n1,rouge,a\n2,bleu clair,b\n3,gris fonc\u00e9,a\n"
                  .encode("latin-1"), [], "line 4: column 'colour' is not valid utf-8 text; pass "
                                          "--encoding"),
    "gzip file": (gzip.compress(GOOD.encode()), [], "found a binary file (gzip)"),
    "PNG file": (_png(), [], "found a binary file (PNG image)"),
    "wrong delimiter": (GOOD.replace(",", ";").encode(), [],
                        "found one column 'x;colour;y'; did you mean --delimiter ';'?"),
    "header repeated": ((GOOD + "x,colour,y\n" + GOOD.split("\n", 1)[1]).encode(), [],
                        "line 42: repeats the header"),
    "enormous line": (b"x,colour,y\n1,red,a\n2," + b"z" * (20 << 20) + b",b\n", [],
                      "a line spans more than the 4 MiB read block"),
    "unknown --numeric column": (GOOD.encode(), ["--numeric", "size"],
                                 "--numeric: no column 'size'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_training_file(tmp_path, case):
    data, flags, message = CASES[case]
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    flags = flags if "--target" in flags else flags + ["--target", "y"]
    before = snapshot(tmp_path)
    result = lrnn_cli("train", "--data", str(path), *flags, "--out", str(tmp_path / "run"),
                      cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_path_problems(tmp_path, kind):
    path = tmp_path / "data.csv"
    if kind == "directory":
        path.mkdir()
    result = lrnn_cli("train", "--data", str(path), "--target", "y", "--out",
                      str(tmp_path / "run"))
    assert result.returncode == 2
    assert ("file not found" if kind == "missing" else "found a directory") in result.stderr
    assert not (tmp_path / "run").exists()


def test_no_read_permission(tmp_path):
    """Root reads any file, so the command runs without the capabilities that let it
    (setpriv from util-linux)."""
    folder = tmp_path
    path = folder / "secret.csv"
    path.write_text(GOOD)
    path.chmod(0o000)
    drop = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
            "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    result = subprocess.run([*drop, sys.executable, "-m", "lrnn", "train", "--data", str(path),
                             "--target", "y", "--out", str(folder / "run")],
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert f"{path}: no permission to read" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["secret.csv"]


@pytest.mark.parametrize("variant", ["bom", "crlf", "tsv", "parquet"])
def test_accepted_variants(tmp_path, variant):
    text = GOOD
    if variant == "bom":
        path = tmp_path / "data.csv"
        path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    elif variant == "crlf":
        path = tmp_path / "data.csv"
        path.write_bytes(text.replace("\n", "\r\n").encode())
    elif variant == "tsv":
        path = tmp_path / "data.tsv"
        path.write_text(text.replace(",", "\t"))
    else:
        import pyarrow.csv as pcsv
        import pyarrow.parquet as pq

        (tmp_path / "tmp.csv").write_text(text)
        path = tmp_path / "data.parquet"
        pq.write_table(pcsv.read_csv(tmp_path / "tmp.csv"), path)
    result = train_without_plots("--data", str(path), "--target", "y", "--out",
                                 str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    import json

    columns = json.loads((tmp_path / "run" / "model.json").read_text())["input_schema"]["columns"]
    assert columns == ["x", "colour"]  # no BOM glued to the first name


def test_id_like_and_high_cardinality_columns_warn(tmp_path):
    rows = ["ticket,name,fare,survived"]
    rows += [f"T{i % 120},passenger {i},{10 + i % 13},{i % 2}" for i in range(2000)]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(rows) + "\n")
    result = train_without_plots("--data", str(path), "--target", "survived", "--out",
                                 str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    assert "column 'name' dropped: looks like an ID or free text (2,000 distinct values" in \
        result.stderr
    assert "column 'ticket': 120 distinct values; kept the 50 most frequent" in result.stderr
    import json

    features = json.loads((tmp_path / "run" / "model.json").read_text())["preprocessing"]["features"]
    assert "ticket=(other)" in features and not any(f.startswith("name") for f in features)
    assert len([f for f in features if f.startswith("ticket=")]) == 51


def test_encoding_option_reads_latin1(tmp_path):
    text = "x,colour,y\n" + "".join(f"{i},{'gris foncé' if i % 2 else 'bleu'},{'ab'[i % 2]}\n"
                                    for i in range(40))
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode("latin-1"))
    result = train_without_plots("--data", str(path), "--target", "y", "--encoding", "latin-1",
                                 "--out", str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    import json

    features = json.loads((tmp_path / "run" / "model.json").read_text())["preprocessing"]["features"]
    assert "colour=gris foncé" in features


def test_spaced_file_with_question_marks(tmp_path):
    """The UCI repository's style: a space after each comma, "?" for missing."""
    rows = ["age, workclass, hours, label"]
    rows += [f"{'?' if i % 9 == 0 else 20 + i % 50}, {['Private', 'State-gov', '?'][i % 3]}, "
             f"{10 + i % 40}, {'>50K' if i % 4 == 0 else '<=50K'}" for i in range(200)]
    path = tmp_path / "adult.csv"
    path.write_text("\n".join(rows) + "\n")
    result = train_without_plots("--data", str(path), "--target", "label", "--out",
                                 str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    import json

    model = json.loads((tmp_path / "run" / "model.json").read_text())
    assert model["classes"] == ["<=50K", ">50K"]
    assert model["preprocessing"]["features"] == [
        "age", "age (missing)", "workclass=Private", "workclass=State-gov",
        "workclass=(missing)", "hours"]
    (tmp_path / "new.csv").write_text("\n".join(rows[:11]) + "\n")
    result = lrnn_cli("predict", str(tmp_path / "run"), str(tmp_path / "new.csv"), "-o",
                      str(tmp_path / "p.csv"))
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 11


def test_pandas_row_index_is_dropped(tmp_path):
    """pandas' to_csv writes its index as an unnamed first column, here with gaps from a
    filter; training and predicting on such files both work and ignore it."""
    import json

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=300), "z": rng.normal(size=300)})
    frame["y"] = np.where(frame.x + 0.3 * frame.z > 0, "up", "down")
    frame = frame[frame.z > -2]
    frame.to_csv(tmp_path / "train.csv")
    frame.drop(columns="y").head(7).to_csv(tmp_path / "new.csv")
    result = train_without_plots("--data", str(tmp_path / "train.csv"), "--target", "y",
                                 "--out", str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    assert "column '(row index)' dropped" in result.stderr
    model = json.loads((tmp_path / "run" / "model.json").read_text())
    assert model["preprocessing"]["features"] == ["x", "z"]
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] > 0.9
    result = lrnn_cli("predict", str(tmp_path / "run"), str(tmp_path / "new.csv"), "-o",
                      str(tmp_path / "p.csv"))
    assert result.returncode == 0, result.stderr
    assert len((tmp_path / "p.csv").read_text().splitlines()) == 8


def test_unnamed_first_column_that_is_not_an_index_is_an_error(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(",x,y\n" + "".join(f"{i % 3},{i},{'ab'[i % 2]}\n" for i in range(40)))
    result = train_without_plots("--data", str(path), "--target", "y", "--out",
                                 str(tmp_path / "run"))
    assert result.returncode == 2
    assert "column 1 has an empty name" in result.stderr


def test_small_file_of_many_classes(tmp_path):
    """60 rows of 20 classes: the splits still hold rows out, and scikit-learn's warning about
    classes missing from the small test split stays off the terminal."""
    path = tmp_path / "many.csv"
    path.write_text("a,b,cls\n" + "".join(f"{i % 20 + 0.1 * (i % 3)},{i % 7},k{i % 20}\n"
                                          for i in range(60)))
    result = train_without_plots("--data", str(path), "--target", "cls", "--out",
                                 str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    import json

    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test"]["n"] == 12 and len(metrics["test"]["classes"]) == 20


def test_decimal_comma_files(tmp_path):
    """A European export: semicolons between fields, commas in numbers; training and
    predicting both read it with --delimiter ';' --decimal ','."""
    rows = "".join(f"{(i - 20) / 4:.2f}".replace(".", ",") + f";{'ab'[i >= 20]}\n"
                   for i in range(40))
    path = tmp_path / "eu.csv"
    path.write_text("x;y\n" + rows)
    result = train_without_plots("--data", str(path), "--target", "y", "--delimiter", ";",
                                 "--decimal", ",", "--out", str(tmp_path / "run"), "-q")
    assert result.returncode == 0, result.stderr
    import json

    model = json.loads((tmp_path / "run" / "model.json").read_text())
    assert model["preprocessing"]["columns"][0]["type"] == "numeric"
    assert model["preprocessing"]["columns"][0]["median"] == pytest.approx(0.0, abs=1)
    result = lrnn_cli("predict", str(tmp_path / "run"), str(path), "--delimiter", ";",
                      "--decimal", ",", "-o", str(tmp_path / "p.csv"))
    assert result.returncode == 0, result.stderr
    result = lrnn_cli("predict", str(tmp_path / "run"), str(path), "--delimiter", ";",
                      "-o", str(tmp_path / "p2.csv"))
    assert result.returncode == 2
    assert "found '-5,00' (a decimal comma? pass --decimal ',')" in result.stderr
