"""What `lrnn train` imports: on MNIST nothing for tables or scikit-learn; on a CSV no pandas
(pyarrow would import it to ask whether it was handed a pandas object); the figure worker no
torch (so that it may fork)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import lrnn_cli

FIXTURES = Path(__file__).parents[1] / "fixtures"


def imported(*argv: str, exit_code: int = 0) -> set[str]:
    """The top-level packages in sys.modules after the command `lrnn ARGV` ran in a fresh
    process and ended with `exit_code`."""
    code = ("import sys\nfrom lrnn.cli import main\ntry:\n"
            f"    code = main({list(argv)!r})\nexcept SystemExit as exit_:\n"
            "    code = exit_.code\n"
            "print('MODULES', code, sorted({m.split('.')[0] for m in sys.modules}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600)
    line = [x for x in result.stdout.splitlines() if x.startswith("MODULES")]
    assert line, result.stdout[-2000:] + result.stderr[-2000:]
    _, status, names = line[0].split(" ", 2)
    assert status in ((str(exit_code), "None") if exit_code == 0 else (str(exit_code),)), \
        result.stderr[-2000:]
    return set(eval(names))


def test_mnist_run_imports_no_table_or_scikit_learn_stack(tmp_path, mnist_dir):
    modules = imported("train", "--dataset", "mnist", "--model", "logreg", "--epochs", "1",
                       "--out", str(tmp_path / "run"))
    assert {"torch", "numpy"} <= modules
    assert not modules & {"pandas", "pyarrow", "sklearn", "scipy", "matplotlib"}


def test_csv_run_imports_no_pandas(tmp_path):
    modules = imported("train", "--data", str(FIXTURES / "chile.csv"), "--target", "vote",
                       "--out", str(tmp_path / "run"))
    assert "pyarrow" in modules
    # sympy comes only with torch._dynamo, which torch.optim.LBFGS (this small table's
    # optimizer) would import but for training/optimizers.py's _skip_dynamo_import
    assert not modules & {"pandas", "sklearn", "scipy", "sympy"}
    assert (tmp_path / "run" / "report.html").is_file()


def test_pandas_stays_importable_after_a_command_in_process(tmp_path):
    """The commands hide pandas only while they run (and only if nothing imported it)."""
    code = ("import sys\nfrom lrnn.cli import main\n"
            f"main(['train', '--data', {str(FIXTURES / 'chile.csv')!r}, '--target', 'vote', "
            f"'--out', {str(tmp_path / 'run')!r}, '-q'])\n"
            "print('during', 'pandas' in sys.modules)\nimport pandas\nprint('after', "
            "pandas.DataFrame({'a': [1]}).shape)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "during False" in result.stdout and "after (1, 1)" in result.stdout


def test_a_bad_small_table_is_refused_before_torch_is_imported(tmp_path):
    """data/tables/early_check.py: a file of a few MB is read and typed before the import."""
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(40)))
    names = imported("train", "--data", str(bad), "--target", "label", "--out",
                     str(tmp_path / "run"), exit_code=2)
    assert "torch" not in names and not (tmp_path / "run").exists()


def test_the_figure_worker_imports_no_torch():
    code = ("import sys\nfrom lrnn.reporting import figure_process, figure_worker\n"
            "figure_process.warm_up()\nprint('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_help_and_datasets_need_no_torch_or_numpy():
    """Importing numpy took ~0.08 s of the 0.16 s `lrnn datasets` used to take."""
    for argv in (["--help"], ["datasets"]):
        assert not imported(*argv) & {"torch", "numpy", "matplotlib", "pandas", "pyarrow",
                                      "sklearn", "scipy"}, argv
    assert lrnn_cli("datasets").stdout.startswith("dataset")


def test_predict_imports_no_settings_reader_and_builds_one_commands_flags(tmp_path, mnist_dir,
                                                                          mnist_logreg_run):
    """`lrnn predict` needs the setting names, not RunConfig's TOML reader and checks (config
    loads them when asked, ~9 ms); and only the command being run gets its flags built."""
    from lrnn.cli.parser import build_parser

    images = str(mnist_dir / "t10k-images-idx3-ubyte.gz")
    names = imported("predict", str(mnist_logreg_run), images, "-o", str(tmp_path / "p.csv"))
    assert "numpy" in names and not names & {"tomllib", "torch", "matplotlib", "pandas"}
    whole, one = build_parser(), build_parser(["--debug", "predict", "RUN", "x"])
    assert whole.commands.keys() == one.commands.keys()
    assert [a.dest for a in one.commands["predict"]._actions] == \
        [a.dest for a in whole.commands["predict"]._actions]
    assert len(whole.commands["train"]._actions) > 30 and len(one.commands["train"]._actions) == 1
