"""`python -m lrnn` is the `lrnn` command."""

from .cli import run_program

run_program()
