"""Optimizers built from the training settings.

SGD, Adam and AdamW are written here with torch's foreach kernels, following the update rules
of torch.optim's foreach implementations (tests compare them step for step). The reason is
measured: constructing any torch.optim optimizer imports torch._dynamo, 1.2 s on a 2-core
machine, more than a whole MNIST logistic-regression fit. L-BFGS, used on small data, stays
torch.optim.LBFGS, with that import skipped (`_skip_dynamo_import`).

The L2 penalty alpha/(2 n) * sum(w^2) reaches first-order optimizers as weight decay alpha/n
on weight matrices only (its exact gradient for sgd and adam; decoupled for adamw); biases get
none. L-BFGS adds the penalty to its loss (see `l2_penalty`).
"""

from __future__ import annotations

import math

import torch
from torch import nn

LBFGS_HISTORY = 20


def weights_and_biases(model: nn.Module) -> tuple[list[nn.Parameter], list[nn.Parameter]]:
    weights = [p for p in model.parameters() if p.ndim >= 2]
    biases = [p for p in model.parameters() if p.ndim < 2]
    return weights, biases


def l2_penalty(model: nn.Module, alpha: float, n_train: int) -> torch.Tensor:
    weights, _ = weights_and_biases(model)
    return (alpha / (2 * n_train)) * sum((w * w).sum() for w in weights)


class FirstOrder:
    """Parameter groups with their own weight decay; `lr` is set by the training loop."""

    def __init__(self, groups: list[dict], lr: float):
        self.param_groups = [dict(g, params=list(g["params"]), lr=lr) for g in groups]
        self.state: dict[str, list[torch.Tensor]] = {}
        self.steps = 0

    def state_dict(self) -> dict:
        return {"steps": self.steps, "buffers": {k: list(v) for k, v in self.state.items()}}

    def load_state_dict(self, state: dict) -> None:
        device = self.param_groups[0]["params"][0].device
        self.steps = state["steps"]
        self.state = {k: [t.to(device) for t in v] for k, v in state["buffers"].items()}

    def set_lr(self, lr: float) -> None:
        for group in self.param_groups:
            group["lr"] = lr

    def zero_grad(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def _buffers(self, key: str, index: int, params: list[torch.Tensor]) -> list[torch.Tensor]:
        name = f"{key}{index}"
        if name not in self.state:
            self.state[name] = [torch.zeros_like(p) for p in params]
        return self.state[name]

    def _groups(self):
        """(index, group, params with gradients, their gradients) for each non-empty group."""
        for i, group in enumerate(self.param_groups):
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                yield i, group, params, [p.grad for p in params]


class SGD(FirstOrder):
    def __init__(self, groups, lr: float, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(groups, lr)
        self.momentum, self.nesterov = momentum, nesterov

    @torch.no_grad()
    def step(self) -> None:
        for i, group, params, grads in self._groups():
            if group["weight_decay"]:
                grads = torch._foreach_add(grads, params, alpha=group["weight_decay"])
            if self.momentum:
                bufs = self._buffers("momentum", i, params)
                if self.steps == 0:
                    torch._foreach_copy_(bufs, grads)
                else:
                    torch._foreach_mul_(bufs, self.momentum)
                    torch._foreach_add_(bufs, grads)
                grads = torch._foreach_add(grads, bufs, alpha=self.momentum) if self.nesterov \
                    else bufs
            torch._foreach_add_(params, grads, alpha=-group["lr"])
        self.steps += 1


class Adam(FirstOrder):
    """Adam; with `decoupled`, AdamW (weight decay applied to the weights, not the gradient).

    Each step runs torch's fused Adam kernel where this torch has one for the device (CPU from
    torch 2.4, CUDA): one pass over each tensor instead of the foreach form's ten, 0.18 vs
    0.64 ms a step for the MNIST MLP's 203,530 weights on one thread (~0.6 s of its default
    run). Elsewhere, the foreach form below, the same update."""

    def __init__(self, groups, lr: float, decoupled: bool = False,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        super().__init__(groups, lr)
        self.decoupled, self.betas, self.eps = decoupled, betas, eps
        self.fused = hasattr(torch, "_fused_adam_")
        self._step_counts: dict[torch.device, torch.Tensor] = {}  # the kernel's step, per device

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        for i, group, params, grads in self._groups():
            exp_avg = self._buffers("exp_avg", i, params)
            exp_avg_sq = self._buffers("exp_avg_sq", i, params)
            if not (self.fused and self._fused_step(group, params, grads, exp_avg, exp_avg_sq)):
                self._foreach_step(group, params, grads, exp_avg, exp_avg_sq)

    def _fused_step(self, group, params, grads, exp_avg, exp_avg_sq) -> bool:
        """False, and the foreach form from then on, where the kernel is missing."""
        kernel = torch._fused_adamw_ if self.decoupled else torch._fused_adam_
        # one tensor per device, refilled: not torch.tensor() each step (5.5 against 1.9 us on the CPU, and a
        # copy from the host on a GPU)
        step = self._step_counts.get(params[0].device)
        if step is None:
            step = self._step_counts[params[0].device] = torch.zeros((), device=params[0].device)
        step.fill_(float(self.steps))
        try:
            kernel(params, grads, exp_avg, exp_avg_sq, [], [step] * len(params), lr=group["lr"],
                   beta1=self.betas[0], beta2=self.betas[1], weight_decay=group["weight_decay"],
                   eps=self.eps, amsgrad=False, maximize=False)
        except (RuntimeError, NotImplementedError):  # no kernel for this device
            self.fused = False
        return self.fused

    def _foreach_step(self, group, params, grads, exp_avg, exp_avg_sq) -> None:
        beta1, beta2 = self.betas
        correction1 = 1 - beta1 ** self.steps
        correction2_sqrt = math.sqrt(1 - beta2 ** self.steps)
        lr, decay = group["lr"], group["weight_decay"]
        if decay and self.decoupled:
            torch._foreach_mul_(params, 1 - lr * decay)
        elif decay:
            grads = torch._foreach_add(grads, params, alpha=decay)
        torch._foreach_lerp_(exp_avg, grads, 1 - beta1)
        torch._foreach_mul_(exp_avg_sq, beta2)
        torch._foreach_addcmul_(exp_avg_sq, grads, grads, 1 - beta2)
        denom = torch._foreach_sqrt(exp_avg_sq)
        torch._foreach_div_(denom, correction2_sqrt)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(params, exp_avg, denom, value=-lr / correction1)


def make_optimizer(model: nn.Module, settings, n_train: int):
    """The optimizer of `settings` (TrainingSettings) for `model`, with the L2 penalty as
    weight decay alpha / n_train on weight matrices."""
    weights, biases = weights_and_biases(model)
    decay = settings.alpha / n_train
    groups = [{"params": weights, "weight_decay": decay}, {"params": biases, "weight_decay": 0.0}]
    if settings.optimizer == "sgd":
        return SGD(groups, settings.lr, momentum=settings.momentum, nesterov=settings.nesterov)
    if settings.optimizer in ("adam", "adamw"):
        return Adam(groups, settings.lr, decoupled=settings.optimizer == "adamw")
    return lbfgs_optimizer(list(model.parameters()), settings.lr, settings.tol)


def lbfgs_optimizer(params: list[torch.Tensor], lr: float, tol: float) -> torch.optim.LBFGS:
    """torch's L-BFGS with a strong-Wolfe line search, stopping on gradient tolerance `tol`."""
    _skip_dynamo_import()
    return torch.optim.LBFGS(params, lr=lr, history_size=LBFGS_HISTORY, tolerance_grad=tol,
                             tolerance_change=1e-12, line_search_fn="strong_wolfe")


def _skip_dynamo_import() -> None:
    """Spare torch.optim.LBFGS the import of torch._dynamo (1.2-1.5 s on 2 cores: sympy, FSDP
    and more, measured in benchmarks/RESULTS.md), which a small table's whole run is not much
    longer than. torch.optim.Optimizer's methods are wrapped by torch._disable_dynamo, whose
    wrapper imports torch._dynamo on its first call only to mark the method "never compile"
    and caches that mark on the method as `__dynamo_disable` (torch/_compile.py). lrnn never
    compiles, so each such method is given itself as that mark: called as it is, with nothing
    imported. Where torch._dynamo is already loaded (a caller compiles), nothing is changed."""
    import sys

    if "torch._dynamo" in sys.modules:
        return
    for cls in torch.optim.LBFGS.__mro__:
        for method in vars(cls).values():
            wrapped, code = getattr(method, "__wrapped__", None), getattr(method, "__code__", None)
            if wrapped is not None and code is not None and "disable_fn" in code.co_varnames \
                    and getattr(wrapped, "__dynamo_disable", None) is None:
                setattr(wrapped, "__dynamo_disable", wrapped)
