"""What a run shows: its figures (figures.py and the *_figures modules), report.html,
comparison pages, TensorBoard scalars, and the writer that publishes every file of a finished
run (run_outputs.py). Drawing happens after training, so none of it slows training."""
