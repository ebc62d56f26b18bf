"""`lrnn train --nproc N ...`: the same command again under torchrun, N processes here."""

from __future__ import annotations

import subprocess
import sys


def launch_torchrun(nproc: int, argv: list[str]) -> int:
    rest, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            rest.append(arg)
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc-per-node={nproc}", "-m", "lrnn", *rest]
    return subprocess.call(command)
