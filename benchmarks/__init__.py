"""lrnn's benchmark against the tools people use today (see BENCHMARKS.md): `python
benchmarks/mnist.py`. Not part of the installed package."""
