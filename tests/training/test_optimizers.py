"""lrnn's SGD/Adam/AdamW take the same steps as torch.optim's, and its schedules give the same
learning rates as torch's schedulers."""

from __future__ import annotations

import pytest
import torch

from lrnn.training.optimizers import SGD, Adam, l2_penalty
from lrnn.training.schedules import lr_factor


def _problem(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3))
    X, y = torch.randn(64, 6), torch.randint(0, 3, (64,))
    return model, X, y


def _groups(model, decay):
    weights = [p for p in model.parameters() if p.ndim >= 2]
    biases = [p for p in model.parameters() if p.ndim < 2]
    return [{"params": weights, "weight_decay": decay}, {"params": biases, "weight_decay": 0.0}]


def _run(make, steps=25):
    model, X, y = _problem()
    opt = make(model)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        opt.step()
    return [p.detach().clone() for p in model.parameters()]


CASES = {
    "sgd": (lambda m: SGD(_groups(m, 0.01), 0.1),
            lambda m: torch.optim.SGD(_groups(m, 0.01), lr=0.1)),
    "sgd momentum": (lambda m: SGD(_groups(m, 0.01), 0.1, momentum=0.9),
                     lambda m: torch.optim.SGD(_groups(m, 0.01), lr=0.1, momentum=0.9)),
    "sgd nesterov": (lambda m: SGD(_groups(m, 0.0), 0.1, momentum=0.8, nesterov=True),
                     lambda m: torch.optim.SGD(_groups(m, 0.0), lr=0.1, momentum=0.8,
                                               nesterov=True)),
    "adam": (lambda m: Adam(_groups(m, 0.05), 0.01),
             lambda m: torch.optim.Adam(_groups(m, 0.05), lr=0.01)),
    "adamw": (lambda m: Adam(_groups(m, 0.05), 0.01, decoupled=True),
              lambda m: torch.optim.AdamW(_groups(m, 0.05), lr=0.01)),
    "adam, foreach form": (lambda m: _foreach(Adam(_groups(m, 0.05), 0.01)),
                           lambda m: torch.optim.Adam(_groups(m, 0.05), lr=0.01)),
    "adamw, foreach form": (lambda m: _foreach(Adam(_groups(m, 0.05), 0.01, decoupled=True)),
                            lambda m: torch.optim.AdamW(_groups(m, 0.05), lr=0.01)),
}


def _foreach(optimizer: Adam) -> Adam:
    """The form used where torch has no fused kernel for the device."""
    optimizer.fused = False
    return optimizer


def test_adam_runs_the_fused_kernel_on_cpu():
    model, X, y = _problem()
    ours = Adam(_groups(model, 0.05), 0.01)
    for _ in range(3):
        ours.zero_grad()
        torch.nn.functional.cross_entropy(model(X), y).backward()
        ours.step()
    assert ours.fused  # the kernel ran (a missing one turns this off)


@pytest.mark.parametrize("case", list(CASES))
def test_same_steps_as_torch(case):
    ours, theirs = CASES[case]
    for a, b in zip(_run(ours), _run(theirs)):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def _torch_lrs(make_scheduler, total):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=1.0)
    sched = make_scheduler(opt)
    lrs = []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


@pytest.mark.parametrize("name,make", [
    ("cosine", lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=100)),
    ("onecycle", lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=100,
                                                               cycle_momentum=False)),
    ("step", lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[50, 75], gamma=0.1)),
])
def test_schedules_match_torch(name, make):
    factor = lr_factor(name, 100)
    ours = [factor(t) for t in range(100)]
    assert ours == pytest.approx(_torch_lrs(make, 100), rel=1e-6, abs=1e-9)
    assert lr_factor("none", 100)(57) == 1.0


def test_l2_penalty_on_weights_only():
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.fill_(2.0)
        model.bias.fill_(100.0)
    # alpha/(2n) * sum(w^2) = 0.5/(2*10) * 6*4
    assert float(l2_penalty(model, 0.5, 10).detach()) == pytest.approx(0.6)
