"""How torch's OpenMP threads wait for each other between parallel kernels, chosen when lrnn is
imported: OpenMP reads the setting once, when torch loads it. Imports no torch.

A model trained on 2 or more threads (the MNIST MLP) meets a barrier at every parallel kernel,
~40 a step. What a thread does at the barrier decides the step's time:
- spinning briefly is fastest when the cores are free: a sleeping thread costs a futex wake-up
  at each barrier. MNIST MLP steps on 2 free cores (benchmarks/RESULTS.md): 4.4 ms passive,
  3.0 ms with 3,000 spins, 2.4 ms with 5,000 or libgomp's default 300,000; whole training
  4.7-8.2 s passive, 3.3-3.8 s with 10,000 spins, the same weights to the last bit.
- sleeping at once (passive) is fastest when another process keeps a core busy: a spinning
  thread then holds the core its partner needs. Next to one busy process: 4.4 ms passive,
  8 ms with 3,000 spins, 19 ms with the default (and 57-74 s instead of 17 s for a whole MNIST
  MLP on a shared machine, with the default).
So: a short spin when no other process is running at import, passive when one is, and
passive away from Linux (where torch's OpenMP is LLVM's, whose spin this was not measured
for). The thread count is never changed here: it changes the last bits of the results, and
exact resume promises the same weights. A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.

numpy's OpenBLAS (the forward passes after training, `lrnn predict`) has threads of its own,
which spin 2**28 cycles (~0.1 s) after every matrix product before they sleep: on 2 cores that
is the core the figure worker draws on, or the one inflating the input file. lrnn sets its
spin to 2**16 cycles (~25 us) unless the user set OPENBLAS_THREAD_TIMEOUT: `lrnn predict` on
MNIST's test images went from 0.28-0.33 to 0.19-0.20 s of CPU and ~15 ms less wall."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import MutableMapping

# libgomp counts about 100,000 spins a millisecond: ~50 us before a waiting thread sleeps.
SPIN_COUNT = "5000"
# Says which setting lrnn made, so that a child process (torchrun's, a tuning worker's), which
# inherits the environment, looks at the machine again instead of taking it as the user's.
CHOSEN = "LRNN_OPENMP_WAIT"
SETTINGS = {"spin": ("GOMP_SPINCOUNT", SPIN_COUNT), "passive": ("OMP_WAIT_POLICY", "PASSIVE")}
# OpenBLAS's spin after a product, in powers of two of cycles (its range is 4-30, default 28).
BLAS_SPIN = ("OPENBLAS_THREAD_TIMEOUT", "16")
# /proc/stat is read this many times, this far apart; the machine counts as busy when another
# thread is runnable at every reading (a kernel thread or a short job rarely is).
SAMPLES, SAMPLE_GAP_S = 3, 0.0005


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system says it (a
    container's or taskset's share), else every core of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def choose_wait_policy(environ: MutableMapping[str, str] = os.environ,
                       busy: bool | None = None) -> str:
    """Set how OpenMP threads wait (in `environ`, before torch is imported) and say which:
    "yours" (the user set it), "spin" or "passive". `busy` overrides the look at the machine."""
    inherited = SETTINGS.get(environ.pop(CHOSEN, ""))
    if inherited is not None and environ.get(inherited[0]) == inherited[1]:
        del environ[inherited[0]]  # a parent lrnn's choice, not the user's
    if "OMP_WAIT_POLICY" in environ or "GOMP_SPINCOUNT" in environ:
        return "yours"
    if not sys.platform.startswith("linux"):
        busy = True
    if busy is None:
        busy = others_running()
    chosen = "passive" if busy else "spin"
    name, value = SETTINGS[chosen]
    environ[name], environ[CHOSEN] = value, chosen
    return chosen


def shorten_blas_spin(environ: MutableMapping[str, str] = os.environ) -> None:
    """Set OpenBLAS's spin (in `environ`, before numpy is imported), unless the user has."""
    environ.setdefault(*BLAS_SPIN)


def others_running(stat: str = "/proc/stat") -> bool:
    """Whether a thread other than this one was runnable at every one of SAMPLES readings of
    the kernel's count (which includes the reading thread); True when it cannot be read, so
    that an unknown machine gets the safe choice."""
    for n in range(SAMPLES):
        if n:
            time.sleep(SAMPLE_GAP_S)
        running = runnable_threads(stat)
        if running is None:
            return True
        if running <= 1:
            return False
    return True


def runnable_threads(stat: str = "/proc/stat") -> int | None:
    """The `procs_running` line of /proc/stat: threads running or ready to run right now."""
    try:
        with open(stat, "rb") as f:
            text = f.read(1 << 16)
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(b"procs_running "):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None
