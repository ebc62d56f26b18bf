"""Run one child process and measure it from outside: the wall from just before the spawn to
the child's exit, and that child's own resource usage (os.wait4 gives the rusage of exactly
this pid, where RUSAGE_CHILDREN would add up every child reaped so far)."""

from __future__ import annotations

import os
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
    load_before: float  # 1-minute load average before the spawn: other work on the machine
    log: Path  # the child's stdout and stderr

    @property
    def max_rss_mib(self) -> float:
        return self.max_rss_kib / 1024


def measure(argv: list[str], log: Path, *, env: dict[str, str], cwd: Path,
            timeout_s: float) -> Measurement:
    """Run `argv` to its end (killed after `timeout_s`), its output going to `log`."""
    load_before = os.getloadavg()[0]
    with open(log, "wb") as out:
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
    # wait4 reaped the child; tell Popen so that it does not try again.
    child.returncode = os.waitstatus_to_exitcode(status)
    return Measurement(argv=argv, returncode=child.returncode, start_unix=start_unix,
                       wall_s=wall, cpu_s=usage.ru_utime + usage.ru_stime,
                       max_rss_kib=usage.ru_maxrss, load_before=load_before, log=log)
