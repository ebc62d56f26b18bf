"""Training: the loop (loop.py) and full-batch L-BFGS (lbfgs/), the optimizers and
schedules, the components the loop calls (callbacks/), checkpoints and resuming, devices, and
data-parallel training under torchrun (distributed.py)."""
