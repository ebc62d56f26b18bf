"""Download into the cache from mirrors, against real HTTP servers on 127.0.0.1: a dead mirror
is skipped, a corrupted file is rejected, and only verified files reach the cache."""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from pathlib import Path

import pytest

from lrnn.data.idx.download import cache_root, is_genuine, mirrors_for
from lrnn.data.idx.locate import load_idx_dataset, locate, where_is
from lrnn.data.idx.registry import MNIST
from lrnn.errors import InputError
from tests.conftest import lrnn_cli


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """Start static HTTP servers on 127.0.0.1 over given folders; yields their base URLs."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(Quiet, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def dead_mirror() -> str:
    """A URL on a port where nothing listens (bound, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def corrupted_copy(mnist_dir: Path, folder: Path) -> Path:
    folder.mkdir()
    for f in mnist_dir.iterdir():
        data = bytearray(f.read_bytes())
        data[len(data) // 2] ^= 0x01  # one flipped bit
        (folder / f.name).write_bytes(bytes(data))
    return folder


def test_shared_files_are_genuine(mnist_dir):
    # recompressed copies of the published files: accepted by their content checksum
    for file in MNIST.files:
        assert is_genuine(mnist_dir / file.name, file)


def test_download_skips_dead_and_corrupt_mirrors(mnist_dir, tmp_path, serve, monkeypatch):
    bad = serve(corrupted_copy(mnist_dir, tmp_path / "bad"))
    good = serve(mnist_dir)
    monkeypatch.delenv("LRNN_DATA_DIR")
    monkeypatch.setenv("LRNN_MIRRORS", f"{dead_mirror()} {bad},{good}")
    assert mirrors_for(MNIST)[1:] == [bad, good]
    paths, source = locate("mnist", None)
    assert "downloaded" in source
    cache = cache_root() / "mnist"
    assert sorted(p.name for p in cache.iterdir()) == sorted(f.name for f in MNIST.files)
    for path, file in zip(paths, MNIST.files):
        assert path.read_bytes() == (mnist_dir / file.name).read_bytes()  # the good mirror's
    # a second load uses the cache, with no mirror at all
    monkeypatch.setenv("LRNN_MIRRORS", dead_mirror())
    dataset = load_idx_dataset("mnist", None)
    assert dataset.X.shape == (60000, 28, 28) and "cache" in dataset.source
    assert where_is("mnist")[1] == "cache"


def test_only_corrupt_mirrors_is_an_error_and_caches_nothing(mnist_dir, tmp_path, serve,
                                                             monkeypatch):
    bad = serve(corrupted_copy(mnist_dir, tmp_path / "bad"))
    monkeypatch.delenv("LRNN_DATA_DIR")
    monkeypatch.setenv("LRNN_MIRRORS", f"{dead_mirror()} {bad}")
    with pytest.raises(InputError, match="checksum mismatch") as err:
        locate("mnist", None)
    assert "refused" in str(err.value).lower() or "connection" in str(err.value).lower()
    cache = cache_root() / "mnist"
    assert not cache.exists() or list(cache.iterdir()) == []  # no partial or corrupt file


def test_cli_download_failure_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("LRNN_DATA_DIR", str(tmp_path / "empty"))
    result = lrnn_cli("train", "--dataset", "fashion-mnist", "--out", str(tmp_path / "run"),
                      env={"LRNN_MIRRORS": dead_mirror()})
    assert result.returncode == 2
    assert "could not download train-images-idx3-ubyte.gz" in result.stderr
    assert not (tmp_path / "run").exists()


def test_data_dir_missing_files(tmp_path):
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"")
    with pytest.raises(InputError, match="missing train-labels-idx1-ubyte.gz"):
        locate("mnist", str(tmp_path))
    with pytest.raises(InputError, match="expected a folder"):
        locate("mnist", str(tmp_path / "nothing"))


def test_datasets_command_says_where(mnist_dir):
    result = lrnn_cli("datasets")
    assert result.returncode == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert "yes" in lines["mnist"] and str(mnist_dir) in lines["mnist"]
    assert "LRNN_DATA_DIR" in lines["mnist"]
    assert "no" in lines["fashion-mnist"].split()[2]
    assert "built in" in lines["digits"]
    assert len(lines) == 6
    # every row says how many classes, scikit-learn's datasets too (as their loaders give)
    assert {name: int(line.split()[1]) for name, line in lines.items()} == {
        "mnist": 10, "fashion-mnist": 10, "digits": 10, "breast_cancer": 2, "iris": 3, "wine": 3}
    folder = lrnn_cli("datasets", "--folder", "mnist")
    assert folder.returncode == 0 and folder.stdout == f"{mnist_dir}\n"
    for name, message in (("iris", "built into scikit-learn"), ("fashion-mnist", "not present")):
        refused = lrnn_cli("datasets", "--folder", name)
        assert refused.returncode == 2 and message in refused.stderr
