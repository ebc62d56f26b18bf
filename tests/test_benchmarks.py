"""The benchmark harness' own logic (benchmarks/): reading what a run left, time to accuracy,
medians and the targets of BENCHMARKS.md. Nothing here is timed: speed is the benchmark's
business (python benchmarks/mnist.py), not the tests'."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks import mnist, targets
from benchmarks.peers.common import load_split, read_reports, report
from benchmarks.phases import breakdown
from benchmarks.results import Outcome, Point, Repetition, Summary, median_or_none, time_to_target
from benchmarks.spawn import Measurement, measure, own_max_rss_mib
from benchmarks.tasks import Context, lrnn_outcome, peer_outcome, predictions_outcome

START = 1_000.0


def repetition(wall: float, curve=(), final: float | None = None, target: float | None = None,
               rss_kib: int = 500 * 1024, returncode: int = 0) -> Repetition:
    m = Measurement(argv=["x"], returncode=returncode, start_unix=START, wall_s=wall, cpu_s=wall,
                    max_rss_kib=rss_kib, others_cpu_share=0.0, log=Path("log.txt"))
    return Repetition(m, Outcome(tuple(curve), final), target)


def summary(name: str, *reps: Repetition, target: float | None = None) -> Summary:
    return Summary(name, name, target, list(reps))


def test_time_to_target_is_from_spawn_to_the_first_point_at_the_target():
    curve = (Point(START + 2, 0.90), Point(START + 3, 0.93), Point(START + 4, 0.92),
             Point(START + 5, 0.94))
    assert time_to_target(curve, START, 0.925) == pytest.approx(3.0)
    assert time_to_target(curve, START, 0.95) is None


def test_a_missing_value_counts_as_infinitely_slow_in_the_median():
    assert median_or_none([1.0, 3.0, None]) == 3.0
    assert median_or_none([1.0, None, None]) is None
    assert median_or_none([]) is None


def test_a_failed_repetition_has_no_time_to_target():
    failed = repetition(5.0, [Point(START + 1, 0.99)], 0.99, target=0.98, returncode=1)
    assert failed.time_to_target_s is None
    assert summary("lrnn-mlp", failed, target=0.98).failures == 1


def test_accuracy_target_compares_whole_walls():
    peer = summary("sklearn-logreg", *(repetition(w, final=0.9256) for w in (14.0, 15.0, 16.0)))
    fast = summary("lrnn-logreg", *(repetition(2.1, [Point(START + 1.4, 0.926)], 0.928,
                                               target=0.925) for _ in range(3)), target=0.925)
    verdict = targets.logreg({"lrnn-logreg": fast, "sklearn-logreg": peer})
    assert verdict.value == pytest.approx(2.1 / 15.0)
    assert verdict.passed is True
    assert "reached 92.5% at 1.40 s" in verdict.measured  # time to accuracy, beside

    ends_below = summary("lrnn-logreg", repetition(2.1, [Point(START + 1.4, 0.926)], 0.92,
                                                   target=0.925), target=0.925)
    assert targets.logreg({"lrnn-logreg": ends_below, "sklearn-logreg": peer}).passed is False
    # reaching the accuracy early does not make up for a slow whole command
    slow = summary("lrnn-logreg", repetition(2.4, [Point(START + 1.0, 0.93)], 0.93,
                                             target=0.925), target=0.925)
    assert targets.logreg({"lrnn-logreg": slow, "sklearn-logreg": peer}).passed is False


def test_tutorial_target_is_whole_walls_and_a_final_model_in_the_band():
    peer = summary("tutorial", repetition(26.0, final=0.825))
    low = targets.TUTORIAL_ACCURACY - targets.TUTORIAL_TOLERANCE
    cases = ((3.5, 0.826, True),  # 3.5 s <= 0.15 x 26 s, ends in the band
             (4.0, 0.826, False),  # too slow
             (3.0, 0.810, False),  # never reached the band
             (3.0, 0.840, False))  # ends above the band: not the tutorial's accuracy
    for wall, final, passed in cases:
        lrnn = summary("lrnn-tutorial", repetition(wall, [Point(START + wall - 1, final)], final,
                                                   target=low), target=low)
        verdict = targets.tutorial({"lrnn-tutorial": lrnn, "tutorial": peer})
        assert verdict.passed is passed, (wall, final)
    assert "whole walls 3.00 s / 26.00 s" in verdict.measured


def test_startup_targets_are_absolute_walls():
    s = {"lrnn-help": summary("lrnn-help", repetition(0.21), repetition(0.5), repetition(0.3)),
         "lrnn-datasets": summary("lrnn-datasets", repetition(0.45))}
    help_, datasets = targets.startup(s, "lrnn-help", "lrnn --help"), \
        targets.startup(s, "lrnn-datasets", "lrnn datasets")
    assert help_.value == pytest.approx(0.3) and help_.passed is True
    assert datasets.passed is False


def test_predict_target_is_a_tenth_of_the_peer():
    peer = summary("sklearn-predict", repetition(1.6, final=0.92))
    for wall, passed in ((0.15, True), (0.17, False)):
        lrnn = summary("lrnn-predict", repetition(wall, final=0.92))
        verdict = targets.predict({"lrnn-predict": lrnn, "sklearn-predict": peer})
        assert verdict.passed is passed


def test_memory_target_takes_the_largest_lrnn_process_and_ignores_peers():
    s = {"lrnn-logreg": summary("lrnn-logreg", repetition(1, rss_kib=900 * 1024)),
         "lrnn-mlp": summary("lrnn-mlp", repetition(1, rss_kib=1100 * 1024)),
         "skorch-mlp": summary("skorch-mlp", repetition(1, rss_kib=4000 * 1024))}
    verdict = targets.memory(s)
    assert verdict.value == pytest.approx(1100) and verdict.passed is False


def test_targets_whose_tasks_did_not_run_are_not_judged():
    verdicts = targets.judge({}, device="cpu")
    assert [v.passed for v in verdicts] == [None] * len(verdicts)


def test_gpu_target_uses_lrnn_training_clock():
    curve = [Point(START + 9, 0.97, 1.0), Point(START + 10, 0.981, 1.8)]
    s = {"lrnn-mlp": summary("lrnn-mlp", repetition(12, curve, 0.982, target=0.98), target=0.98)}
    assert targets.gpu(s, "cuda").value == pytest.approx(1.8)
    assert targets.gpu(s, "cuda").passed is True
    assert targets.gpu(s, "cpu").passed is None


def test_lrnn_outcome_reads_a_real_run(tmp_path, mnist_logreg_run):
    (tmp_path / "run").symlink_to(mnist_logreg_run)
    outcome = lrnn_outcome(Context(Path(), tmp_path, "cpu"), tmp_path, tmp_path / "log.txt")
    assert len(outcome.curve) >= 1
    assert all(0.8 < p.accuracy <= 1 and p.train_time_s > 0 for p in outcome.curve)
    assert [p.unix_time for p in outcome.curve] == sorted(p.unix_time for p in outcome.curve)
    assert outcome.final_accuracy == pytest.approx(outcome.curve[-1].accuracy, abs=0.002)


def test_lrnn_outcome_places_eval_points_on_the_wall_clock(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "history.csv").write_text(
        "epoch,step,lr,train_loss,train_accuracy,val_loss,val_accuracy,test_loss,test_accuracy,"
        "time_s,unix_time\n1,600,0.001,1.2,0.7,1.1,0.75,1.1,0.76,4.0,2004.0\n")
    (run / "evals.csv").write_text(
        "step,epoch,train_loss,test_loss,test_accuracy,time_s\n500,1,1.3,1.2,0.74,3.5\n")
    (run / "metrics.json").write_text('{"test": {"accuracy": 0.76}}')
    outcome = lrnn_outcome(Context(Path(), tmp_path, "cpu"), tmp_path, tmp_path / "log.txt")
    assert [(p.unix_time, p.accuracy) for p in outcome.curve] == [(2003.5, 0.74), (2004.0, 0.76)]
    assert outcome.final_accuracy == 0.76


def test_peer_reports_round_trip(capsys, tmp_path):
    report(epoch=1, test_accuracy=0.5, unix_time=START + 1)
    print("a line of the peer's own output")
    report(final=True, test_accuracy=0.6)
    log = tmp_path / "log.txt"
    log.write_text(capsys.readouterr().out)
    assert len(read_reports(log.read_text())) == 2
    outcome = peer_outcome(Context(Path(), tmp_path, "cpu"), tmp_path, log)
    assert outcome.curve[0] == Point(START + 1, 0.5) and outcome.final_accuracy == 0.6
    assert outcome.curve[1].accuracy == 0.6  # a peer that scores once reaches its target too


def test_peers_read_the_real_mnist_files(mnist_dir):
    images, labels = load_split(mnist_dir, "test")
    assert images.shape == (10_000, 28, 28) and images.dtype == np.uint8
    assert labels[:3].tolist() == [7, 2, 1]


def test_predictions_are_scored_against_the_test_labels(tmp_path, mnist_dir):
    _, labels = load_split(mnist_dir, "test")
    rows = ["prediction,proba_0"] + [str(y) for y in labels[:-10]] + ["0"] * 10
    (tmp_path / "predictions.csv").write_text("\n".join(rows) + "\n")
    outcome = predictions_outcome(Context(mnist_dir.parent, tmp_path, "cpu"), tmp_path, Path())
    wrong = int(np.sum(labels[-10:] != 0))
    assert outcome.final_accuracy == pytest.approx((10_000 - wrong) / 10_000)


def test_tutorial_to_tensor_matches_torchvision():
    from benchmarks.peers.tutorial import to_tensor

    pixels = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
    tensor = to_tensor(Image.fromarray(pixels))
    assert tuple(tensor.shape) == (1, 28, 28)  # [C, H, W]
    np.testing.assert_allclose(tensor[0].numpy(), pixels / 255, rtol=1e-6)


def test_unknown_task_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "mnist").mkdir()
    with pytest.raises(SystemExit) as exit_:
        mnist.parse_args(["--data-dir", str(tmp_path), "--only", "lrnn-logreg,nope"])
    assert exit_.value.code == 2
    assert "unknown task nope" in capsys.readouterr().err


def test_each_child_reports_its_own_peak_memory(tmp_path):
    """os.wait4 gives the child's own rusage: a small child after a big one stays small. Both
    sit above the floor that Linux carries over from this process (see spawn.py), so the big
    one allocates well past it."""
    size = int(own_max_rss_mib()) + 400
    big = f"x = bytearray({size} * 2**20); x[::4096] = b'1' * len(x[::4096])"
    env = dict(os.environ)
    first = measure([sys.executable, "-c", big], tmp_path / "big.log", env=env, cwd=tmp_path,
                    timeout_s=60)
    second = measure([sys.executable, "-c", "pass"], tmp_path / "small.log", env=env,
                     cwd=tmp_path, timeout_s=60)
    assert first.returncode == 0 and first.max_rss_mib > size
    assert second.returncode == 0 and second.max_rss_mib < first.max_rss_mib - 300
    assert 0 < second.wall_s and 0 <= second.others_cpu_share <= 1


def test_profile_samples_are_grouped_by_phase_of_the_run():
    run = "main (lrnn/cli/__init__.py:1);train (lrnn/cli/commands.py:2);run (lrnn/engine.py:3)"
    save = f"{run};_train (lrnn/engine.py:4);_score_and_save (lrnn/engine.py:5)"
    fit = "Trainer.fit (lrnn/training/loop.py:4);Trainer._fit_minibatch (lrnn/training/loop.py:5)"
    publish = ("publish (lrnn/reporting/run_outputs.py:8);RunDir.publish "
               "(lrnn/artifacts/run_dir.py:9);write_files (lrnn/reporting/run_outputs.py:10)")
    wait = ("Handover.finish (lrnn/reporting/figure_worker.py:11);FigureWorker.wait "
            "(lrnn/reporting/figure_worker.py:12)")
    raw = "\n".join([
        f"{run};_train (lrnn/engine.py:4);{fit};Trainer._step (lrnn/training/loop.py:6) 30",
        f"{save};score_test (lrnn/evaluation/scoring.py:7) 20",
        f"{save};{publish};{wait} 7",
        "<module> (lrnn:1);_find_and_load (<frozen importlib>:2);<module> (lrnn/engine.py:3);"
        "_find_and_load (<frozen importlib>:4);<module> (torch/__init__.py:5) 10",
        "Thread._bootstrap (threading.py:1);TMonitor.run (tqdm/_monitor.py:2) 99",
    ])
    assert breakdown(raw) == {"training: steps (forward, backward, optimizer)": 30,
                              "final metrics": 20, "startup: import torch": 10,
                              "save the run: waiting for the figure worker": 7}


@pytest.mark.parametrize("script", ["estimators", "export", "large_table", "mnist", "phases",
                                    "serve", "small_tables", "tune", "wide_table"])
def test_every_benchmark_script_starts(script):
    """Each script imports what it needs from the others (wide_table.py once asked
    large_table.py for a function that had been renamed) and shows its usage."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "benchmarks" / f"{script}.py"), "--help"],
                          capture_output=True, text=True, timeout=120, cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")
