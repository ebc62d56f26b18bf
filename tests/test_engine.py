"""engine.run through the Python API: the lifecycle and its result."""

from __future__ import annotations

import csv

import lrnn


def test_train_api_returns_the_run(tmp_path):
    run = lrnn.train(dataset="wine", model="mlp", hidden_layer_sizes="32", epochs=60, lr=0.01,
                     out=str(tmp_path / "wine"))
    assert run.run_dir == tmp_path / "wine" and run.config.optimizer == "adam"
    assert run.metrics["test"]["accuracy"] >= 0.9
    with open(run.run_dir / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60 == len(run.history.epochs)
    assert float(rows[-1]["train_loss"]) < float(rows[0]["train_loss"])
    # no staging folder is left beside the run
    assert [p.name for p in tmp_path.iterdir()] == ["wine"]
    model = lrnn.load(run.run_dir)
    assert model.predict([[13.0] + [2.0] * 12]).shape == (1,)
