"""The user's own tables (CSV, TSV, Parquet): reading a file into an Arrow table, typing its
columns, and a Dataset from the target and feature columns."""
