"""Data-parallel training under torchrun: which process this is, and the few collectives the
training loop needs. A single process (no torchrun) is world size 1 and needs none of it.

How a global batch is split: every process draws the same seeded order of rows, so every
global batch of --batch-size rows is known to all; process r takes the r-th of `world`
contiguous, near-equal parts of it (torch.tensor_split). Each process's loss is its rows' sum
scaled by world / global batch, so DDP's averaging of gradients gives exactly the gradient of
the global batch's mean loss, as one process would compute it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import torch

# A collective that waits longer than this fails instead of hanging on a lost process.
TIMEOUT_S = int(os.environ.get("LRNN_DIST_TIMEOUT", "300"))


@dataclass(frozen=True)
class Context:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    restart: int = 0  # how many times torchrun has restarted this job

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def shard(self, index: torch.Tensor) -> torch.Tensor:
        """This process's part of a global batch of row indices."""
        return index.tensor_split(self.world)[self.rank] if self.enabled else index


_current = Context()


def current() -> Context:
    return _current


def from_environment() -> Context:
    env = os.environ
    return Context(rank=int(env.get("RANK", 0)), world=int(env.get("WORLD_SIZE", 1)),
                   local_rank=int(env.get("LOCAL_RANK", 0)),
                   restart=int(env.get("TORCHELASTIC_RESTART_COUNT", 0)))


@contextmanager
def session():
    """Join the process group torchrun set up (NCCL on GPUs, gloo on CPU), for the duration."""
    global _current
    context = from_environment()
    if not context.enabled:
        yield context
        return
    import torch.distributed as dist

    use_cuda = torch.cuda.is_available()
    if use_cuda:
        torch.cuda.set_device(context.local_rank)
    timeout = timedelta(seconds=TIMEOUT_S)
    store, _, _ = next(dist.rendezvous("env://", context.rank, context.world, timeout=timeout))
    # torchrun's store outlives a restart of the job; without a fresh namespace per attempt the
    # new processes would read the dead ones' addresses and fail to connect.
    store = dist.PrefixStore(f"lrnn/attempt-{context.restart}", store)
    dist.init_process_group("nccl" if use_cuda else "gloo", store=store, rank=context.rank,
                            world_size=context.world, timeout=timeout)
    _current = context
    try:
        yield context
    finally:
        _current = Context()
        # Free what still holds the group (the training's DDP wrapper can sit in a reference
        # cycle) while the group and the interpreter are alive: `lrnn` exits without a final
        # garbage collection (cli.run_program), and gloo objects torn down during interpreter
        # shutdown can abort the process (seen once in CI: SIGABRT after a restarted job).
        import gc

        gc.collect()
        dist.destroy_process_group()


def device_for(requested: torch.device) -> torch.device:
    """Each process on its own GPU; CPU processes share the CPU."""
    if _current.enabled and requested.type == "cuda":
        return torch.device("cuda", _current.local_rank)
    return requested


def _dist():
    import torch.distributed as dist

    return dist


def all_reduce(tensor: torch.Tensor, op: str = "sum") -> torch.Tensor:
    """The sum (or max, min) over processes, in place; a no-op for one process."""
    if _current.enabled:
        dist = _dist()
        ops = {"sum": dist.ReduceOp.SUM, "max": dist.ReduceOp.MAX, "min": dist.ReduceOp.MIN}
        dist.all_reduce(tensor, op=ops[op])
    return tensor


def barrier() -> None:
    if _current.enabled:
        _dist().barrier()


def broadcast(value):
    """Process 0's value, on every process."""
    if not _current.enabled:
        return value
    box = [value]
    _dist().broadcast_object_list(box, src=0)
    return box[0]


def gather(value) -> list:
    """Every process's value, in rank order, on every process."""
    if not _current.enabled:
        return [value]
    values = [None] * _current.world
    _dist().all_gather_object(values, value)
    return values


def _scalar_device() -> torch.device:
    """Where small tensors for collectives live: NCCL reduces GPU tensors only."""
    return torch.device("cuda", _current.local_rank) if torch.cuda.is_available() \
        else torch.device("cpu")


def reduce_int(value: int, op: str) -> int:
    """An integer combined over processes (max, min or sum)."""
    if not _current.enabled:
        return value
    return int(all_reduce(torch.tensor([value], device=_scalar_device()), op).item())


def all_agree(ok: bool) -> bool:
    """True only if every process says True (one failure stops them all, none left waiting)."""
    return bool(reduce_int(1 if ok else 0, "min"))
