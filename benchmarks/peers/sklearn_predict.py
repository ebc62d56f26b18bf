"""The predict peer: load a LogisticRegression saved with joblib, predict the 10,000 test images
and write one CSV row per image (prediction and class probabilities), as `lrnn predict` does."""

from __future__ import annotations

import argparse
from pathlib import Path

import joblib
import numpy as np

from benchmarks.peers.common import flat_pixels, read_idx


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model", type=Path, help="a model written by joblib.dump")
    p.add_argument("images", type=Path, help="an IDX images file")
    p.add_argument("-o", "--output", type=Path, required=True)
    args = p.parse_args()
    model = joblib.load(args.model)
    proba = model.predict_proba(flat_pixels(read_idx(args.images)))
    predictions = model.classes_[proba.argmax(axis=1)]
    header = ",".join(["prediction"] + [f"proba_{c}" for c in model.classes_])
    np.savetxt(args.output, np.column_stack([predictions, proba]), delimiter=",",
               fmt=["%d"] + ["%.6g"] * len(model.classes_), header=header, comments="")


if __name__ == "__main__":
    main()
