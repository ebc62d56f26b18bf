"""skorch's NeuralNetClassifier on a 784-100-10 ReLU network: Adam 1e-3, 10 epochs, batches of
128, skorch's other defaults (its 20 % internal validation split included); the test accuracy
after each epoch."""

from __future__ import annotations

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.callbacks import Callback
from torch import nn

from benchmarks.peers.common import flat_pixels, load_split, parser, report


class TestAccuracy(Callback):
    def __init__(self, X: np.ndarray, y: np.ndarray):
        self.X, self.y = X, y

    def on_epoch_end(self, net, **kwargs):
        accuracy = float(np.mean(net.predict(self.X) == self.y))
        report(epoch=len(net.history), test_accuracy=accuracy)


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    images, labels = load_split(args.data_dir, "train")
    test_images, test_labels = load_split(args.data_dir, "test")
    X, X_test = flat_pixels(images, np.float32), flat_pixels(test_images, np.float32)
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
    net = NeuralNetClassifier(module, criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                              lr=1e-3, max_epochs=10, batch_size=128, device=args.device,
                              callbacks=[("test_accuracy", TestAccuracy(X_test, test_labels))])
    net.fit(X, labels)
    report(final=True, test_accuracy=float(np.mean(net.predict(X_test) == test_labels)))


if __name__ == "__main__":
    main()
