"""Reading MNIST on a thread while torch imports (data/early_read.py)."""

from __future__ import annotations

import numpy as np
import pytest

from lrnn.data.idx import early_read
from lrnn.data.idx.locate import load_idx_dataset
from lrnn.errors import InputError


def test_the_early_read_is_the_normal_read_and_is_taken_once(mnist_dir):
    early_read.start("mnist", str(mnist_dir))
    early = early_read.take("mnist", str(mnist_dir))
    normal = load_idx_dataset("mnist", str(mnist_dir))
    for part in ("X", "y", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(early, part), getattr(normal, part))
    assert early.X.flags.writeable and early.source == normal.source
    assert early_read.take("mnist", str(mnist_dir)) is None


def test_nothing_is_read_early_when_the_files_would_be_downloaded(tmp_path, monkeypatch):
    monkeypatch.delenv("LRNN_DATA_DIR", raising=False)
    monkeypatch.setenv("LRNN_CACHE_DIR", str(tmp_path))
    early_read.start("mnist", None)
    assert early_read.take("mnist", None) is None
    assert list(tmp_path.iterdir()) == []  # no download began


def test_a_failed_early_read_raises_where_the_dataset_is_taken(tmp_path):
    missing = str(tmp_path / "nowhere")
    early_read.start("mnist", missing)
    with pytest.raises(InputError, match="expected a folder"):
        early_read.take("mnist", missing)


def test_other_datasets_are_not_read_early():
    early_read.start("digits", None)
    assert early_read.take("digits", None) is None
