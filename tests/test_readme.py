"""The README's examples run as written (tests/readme_examples.py runs them once, in order,
from a folder laid out as the repository root): every command succeeds, `lrnn runs` and
`latest` mean what the README says, and every file the README names exists."""

from __future__ import annotations

import re

from tests.readme_examples import NOT_RUN, README, ROOT, output_of, readme_examples


def test_every_example_runs_as_written(readme_session):
    folder, ran = readme_session
    failed = [f"[{r.example.section}] {r.example.code[:200]}\n  exit {r.result.returncode}: "
              f"{r.result.stderr.strip()[-800:]}" for r in ran if r.result.returncode != 0]
    assert not failed, "\n".join(failed)
    assert {r.example.section for r in ran} >= {"Quick start: MNIST", "Your own data: CSV, TSV, "
                                                "Parquet", "scikit-learn estimators"}
    assert (folder / "predictions.csv").read_text().count("\n") == 10_001  # header + MNIST test
    assert (folder / "compare.html").exists() and (folder / "runs" / "my-mlp").is_dir()


def test_every_section_with_examples_is_run_or_says_why():
    examples = readme_examples(README.read_text())
    assert set(NOT_RUN) <= {e.section for e in examples}, "NOT_RUN names a section without examples"
    assert len([e for e in examples if e.section not in NOT_RUN]) >= 15


def test_runs_lists_the_runs_newest_first(readme_session):
    _, ran = readme_session
    rows = output_of(ran, "lrnn runs").splitlines()
    assert rows[0].split() == ["run", "data", "model", "test", "acc", "date"]
    assert [row.split()[0].rsplit("-", 2)[0] for row in rows[1:]] == ["mnist-mlp", "mnist-logreg"]
    assert re.search(r"mnist +mlp 256 +9\d\.\d\d% +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", rows[1])


def test_latest_is_the_newest_run(readme_session):
    _, ran = readme_session
    evaluated = output_of(ran, "lrnn evaluate latest")
    assert evaluated.startswith("runs/mnist-mlp-") and "(10,000 rows)" in evaluated
    assert output_of(ran, "lrnn report latest").startswith("wrote runs/mnist-mlp-")


def test_readme_names_only_files_that_exist():
    text = README.read_text()
    named = set(re.findall(r"(?<![\w/.<-])((?:benchmarks|tests|notebooks|src|\.ci)/[\w./-]*\w"
                           r"|[A-Z][A-Z_]*\.md|constraints\.txt)", text))
    missing = sorted(name for name in named if "*" not in name and not (ROOT / name).exists())
    assert not missing, missing
    assert "BENCHMARKS.md" not in text  # the targets are stated in benchmarks/targets.py
