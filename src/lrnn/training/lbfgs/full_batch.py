"""Full-batch L-BFGS (the small-data logistic-regression recipe, as scikit-learn solves it),
run by the Trainer in rounds of LBFGS_ROUND iterations, each recorded like an epoch."""

from __future__ import annotations

import math

from ...models.torch_models import to_model_input
from ..callbacks.divergence import diverged
from ..optimizers import l2_penalty

LBFGS_ROUND = 5  # L-BFGS iterations per optimizer.step() call: one history row each (a
# learning curve with a point every 5 iterations; each round costs one extra evaluation)


def fit(trainer) -> None:
    """Solved in float64 on a copy of the model: in float32 the loss stops changing ~1e-7
    short of the optimum, too far to give scikit-learn's exact answer. The copy's weights are
    written back to the float32 model after every round."""
    twin, pos, history, optimizer = trainer.lbfgs_twin, trainer.position, trainer.history, \
        trainer.optimizer
    X, y, w = to_model_input(trainer.train.X).double(), trainer.train.y, trainer.train.w
    w = w.double() if w is not None else None
    alpha, n = trainer.settings.alpha, len(trainer.train)

    def closure():
        optimizer.zero_grad()
        loss = trainer.loss_fn(twin(X), y, w) + l2_penalty(twin, alpha, n)
        loss.backward()
        return loss

    total = trainer.total_steps()
    state = optimizer.state[optimizer.param_groups[0]["params"][0]]
    with trainer.console.progress(total, "training (lbfgs)", unit="iter") as bar:
        bar.update(pos.step)
        while pos.step < total and not history.converged and not history.stopped_early:
            rounds = min(LBFGS_ROUND, total - pos.step)
            optimizer.param_groups[0].update(max_iter=rounds, max_eval=rounds * 5)
            optimizer.step(closure)
            trainer.model.load_state_dict(twin.state_dict())  # float64 -> float32 copy
            ran = state.get("n_iter", 0) - pos.step
            history.converged = ran < rounds  # stopped on its tolerance before its budget
            if ran == 0:  # it had converged exactly as the last round ended: nothing new
                trainer.close_epoch()  # to record, but the finished state is checkpointed
                break
            pos.step = pos.epoch = pos.step + ran
            bar.update(ran)
            _end_round(trainer)
    if not history.converged and not history.stopped_early:
        trainer.console.log(f"warning: lbfgs did not converge in {total} iterations (gradient "
                            f"above --tol {trainer.settings.tol}); raise --epochs")


def _end_round(trainer) -> None:
    loss, acc = trainer.scores(trainer.train)
    if not math.isfinite(loss):
        raise diverged(loss, trainer.position.step, trainer.steps_per_epoch())
    trainer.end_epoch(loss, acc)
