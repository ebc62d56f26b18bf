"""Run one child process and measure it from outside: the wall from just before the spawn to
the child's exit, and that child's own resource usage (os.wait4 gives the rusage of exactly
this pid, where RUSAGE_CHILDREN would take every child reaped so far).

Linux keeps the high-water mark of the memory a process had before exec: a child's ru_maxrss
is never below the parent's own peak (vfork) or its size at the fork. The harness stays small
(about 30 MiB, recorded in the JSON as harness_max_rss_mib) so that this floor is far below
what is measured."""

from __future__ import annotations

import math
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    argv: list[str]
    returncode: int
    start_unix: float  # time.time() just before the spawn: children stamp events on this clock
    wall_s: float
    cpu_s: float  # user + system time of the child itself
    max_rss_kib: int
    others_cpu_share: float  # CPU time other processes took meanwhile, share of all cores
    log: Path  # the child's stdout and stderr

    @property
    def max_rss_mib(self) -> float:
        return self.max_rss_kib / 1024


def own_max_rss_mib() -> float:
    """This process's peak resident memory: the floor of every child's (see above)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def busy_cpu_seconds() -> float:
    """CPU time spent on all cores since boot, idle and I/O wait excluded (Linux /proc/stat)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return math.nan
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(argv: list[str], log: Path, *, env: dict[str, str], cwd: Path,
            timeout_s: float) -> Measurement:
    """Run `argv` to its end (killed after `timeout_s`), its output going to `log`."""
    with open(log, "wb") as out:
        busy_before = busy_cpu_seconds()
        start_unix = time.time()
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        killer = threading.Timer(timeout_s, child.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(child.pid, 0)
            wall = time.perf_counter() - start
        finally:
            killer.cancel()
    cpu = usage.ru_utime + usage.ru_stime
    # The machine is shared: what others ran during this measurement slows it (on 2 cores,
    # torch's two threads stall whenever one core is taken), so it is recorded beside it;
    # /proc/stat counts in ticks (10 ms), hence the clamp for very short children.
    others = (busy_cpu_seconds() - busy_before - cpu) / ((os.cpu_count() or 1) * wall)
    # wait4 reaped the child; tell Popen so that it does not try again.
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(argv=argv, returncode=child.returncode, start_unix=start_unix,
                       wall_s=wall, cpu_s=cpu, max_rss_kib=usage.ru_maxrss,
                       others_cpu_share=min(max(others, 0.0), 1.0), log=log)
