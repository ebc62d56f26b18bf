"""Floats as text, for a whole array at once: g6.py writes "%.6g" (`lrnn predict`'s file),
shortest.py writes repr (the run's exact predictions.csv). Both make a NUL-padded byte matrix,
one row a value, which tables.py lays into CSV rows."""
