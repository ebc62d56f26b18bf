"""Models return logits; binary tasks have one output; probabilities and thresholds."""

from __future__ import annotations

import math

import pytest
import torch

from lrnn.models.losses import (logits_of, loss_function, mode_free, predicted_classes,
                               probabilities)
from lrnn.models.torch_models import LogisticRegressionModule, MLPModule, build, n_outputs


def test_shapes():
    assert isinstance(build({"model": "logreg", "n_features": 5, "n_classes": 2}),
                      LogisticRegressionModule)
    assert build({"model": "logreg", "n_features": 5, "n_classes": 2})(torch.zeros(3, 5)).shape == (3, 1)
    mlp = build({"model": "mlp", "n_features": 5, "n_classes": 4, "hidden_layer_sizes": [8, 6],
                 "activation": "gelu", "dropout": 0.5})
    assert isinstance(mlp, MLPModule) and mlp(torch.zeros(3, 5)).shape == (3, 4)
    widths = [m.out_features for m in mlp.modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [8, 6, 4]


def test_binary_threshold_and_probabilities():
    logits = torch.tensor([[-1.0], [0.0], [math.log(0.7 / 0.3) + 1e-6]])
    assert predicted_classes(logits, 0.5).tolist() == [0, 1, 1]
    assert predicted_classes(logits, 0.7).tolist() == [0, 0, 1]
    p = probabilities(logits)
    torch.testing.assert_close(p.sum(1), torch.ones(3))
    torch.testing.assert_close(p[:, 1], torch.sigmoid(logits[:, 0]))


def test_multiclass_probabilities():
    logits = torch.tensor([[1.3, 1.2, 4.5, 4.8]])
    p = probabilities(logits)
    torch.testing.assert_close(p, torch.tensor([[0.017, 0.015, 0.412, 0.556]]), atol=1e-3,
                               rtol=0)
    assert predicted_classes(logits, 0.5).tolist() == [3]


def test_predicted_classes_are_argmax_in_any_layout():
    """The first largest, as argmax (ties included), whether the logits are rows or the
    transposed view a logistic regression gives."""
    ties = torch.tensor([[1.0, 1.0, 0.0], [2.0, 2.0, 2.0], [0.0, 3.0, 3.0]])
    assert predicted_classes(ties, 0.5).tolist() == [0, 0, 1]
    torch.manual_seed(0)
    rows = torch.randn(500, 10).round(decimals=1)  # many ties
    for logits in (rows, rows.t().contiguous().t()):
        assert torch.equal(predicted_classes(logits, 0.5), logits.argmax(dim=1))


def test_logits_in_chunks_equal_one_pass():
    torch.manual_seed(0)
    model = build({"model": "mlp", "n_features": 784, "n_classes": 10,
                   "hidden_layer_sizes": [32], "activation": "relu", "dropout": 0.5})
    X = torch.randint(0, 256, (1000, 784), dtype=torch.uint8)
    chunked = logits_of(model, X, chunk=128)
    model.eval()
    with torch.no_grad():
        whole = model(X.float() / 255)
    torch.testing.assert_close(chunked, whole)
    assert model.training is False


@pytest.mark.parametrize("dropout", [0.0, 0.5])
def test_scoring_in_training_mode_uses_no_dropout_and_keeps_the_mode(dropout):
    """logits_of skips the switch to evaluation mode only where it changes nothing: with
    dropout the switch still happens (no row dropped), and training mode is kept either way."""
    torch.manual_seed(0)
    model = build({"model": "mlp", "n_features": 20, "n_classes": 3,
                   "hidden_layer_sizes": [16, 8], "activation": "tanh", "dropout": dropout})
    assert mode_free(model) is (dropout == 0)
    X = torch.rand(300, 20)
    model.train()
    scored = logits_of(model, X)
    assert model.training and all(part.training for part in model.modules())
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(scored, model(X), rtol=0, atol=0)


def test_a_subclass_or_foreign_part_counts_as_mode_dependent():
    class Noisy(torch.nn.Linear):  # might read self.training
        pass

    model = build({"model": "logreg", "n_features": 4, "n_classes": 3})
    assert mode_free(model)
    model.linear = Noisy(4, 3)
    assert not mode_free(model)
    assert not mode_free(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3)))


def test_numpy_inference_equals_torch():
    """The numpy forward pass used after training computes what the torch module computes."""
    import numpy as np

    from lrnn.models.numpy_forward import NumpyModel

    for activation in ("relu", "tanh", "gelu", "sigmoid", "leaky_relu", "silu", "elu", "identity"):
        torch.manual_seed(1)
        arch = {"model": "mlp", "n_features": 20, "n_classes": 3, "hidden_layer_sizes": [16, 8],
                "activation": activation, "dropout": 0.2}
        model = build(arch).eval()
        X = torch.randn(50, 20)
        weights = {k: v.detach().numpy() for k, v in model.state_dict().items()}
        ours = NumpyModel(arch, weights).logits(X.numpy())
        np.testing.assert_allclose(ours, model(X).detach().numpy(), rtol=1e-5, atol=1e-5)
    arch = {"model": "logreg", "n_features": 4, "n_classes": 2}
    model = build(arch)
    weights = {k: v.detach().numpy() for k, v in model.state_dict().items()}
    X = torch.randn(10, 4)
    np.testing.assert_allclose(NumpyModel(arch, weights).logits(X.numpy()),
                               model(X).detach().numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("n_classes", [2, 10])
@pytest.mark.parametrize("weighted", [False, True])
def test_closed_form_gradients_equal_autograd(n_classes, weighted):
    torch.manual_seed(0)
    x, y = torch.rand(64, 30), torch.randint(0, n_classes, (64,))
    w = torch.rand(64) * 3 if weighted else None
    model = LogisticRegressionModule(30, n_outputs(n_classes))
    with torch.no_grad():
        model.linear.weight.normal_()  # large logits: the softmax is far from uniform
    loss, logits = model.loss_and_gradients(x, y, w)
    closed = {name: p.grad.clone() for name, p in model.named_parameters()}

    model.zero_grad()
    expected = loss_function(n_classes)(model(x), y, w)
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    torch.testing.assert_close(logits, model(x), rtol=1e-5, atol=1e-5)
    for name, p in model.named_parameters():
        torch.testing.assert_close(closed[name], p.grad, rtol=1e-5, atol=1e-6)
