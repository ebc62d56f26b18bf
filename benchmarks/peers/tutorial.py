"""The MNIST logistic-regression tutorial the project started from, as its users run it
(BENCHMARKS.md, first row): a per-sample Dataset that builds a PIL image in __getitem__ and
converts it as torchvision's ToTensor does, DataLoader(batch_size=100, shuffle=True),
nn.Linear(784, 10), CrossEntropyLoss, SGD(lr=0.001), 3,000 iterations, and the test accuracy
every 500 iterations computed through the same per-sample test loader.

torchvision has no build beside the CPU torch installed here, so its MNIST dataset and ToTensor
are rewritten below from torchvision's source."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset

from benchmarks.peers.common import load_split, parser, report

BATCH_SIZE = 100
N_ITERS = 3000
EVAL_EVERY = 500
LEARNING_RATE = 0.001


def to_tensor(pic: Image.Image) -> torch.Tensor:
    """torchvision.transforms.ToTensor on a PIL image of uint8 pixels: [H, W, C] bytes become a
    float tensor [C, H, W] in [0, 1]."""
    img = torch.from_numpy(np.array(pic, np.uint8, copy=True))
    img = img.view(pic.size[1], pic.size[0], len(pic.getbands()))
    img = img.permute((2, 0, 1)).contiguous()
    return img.to(dtype=torch.get_default_dtype()).div(255)


class MNISTImages(Dataset):
    """torchvision.datasets.MNIST's item access: the images are held as one uint8 tensor and
    each item becomes a PIL image, then goes through the transform."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform=to_tensor):
        self.data = torch.from_numpy(images.copy())
        self.targets = torch.from_numpy(labels)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int):
        img = Image.fromarray(self.data[index].numpy())  # mode "L", as torchvision builds it
        return self.transform(img), int(self.targets[index])


class LogisticRegressionModel(nn.Module):
    def __init__(self, input_dim: int, output_dim: int):
        super().__init__()
        self.linear = nn.Linear(input_dim, output_dim)

    def forward(self, x):
        return self.linear(x)


def test_accuracy(model: nn.Module, test_loader: DataLoader, device: str) -> float:
    correct, total = 0, 0
    for images, labels in test_loader:
        outputs = model(images.view(-1, 28 * 28).to(device))
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted.cpu() == labels).sum().item()
    return correct / total


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    train_dataset = MNISTImages(*load_split(args.data_dir, "train"))
    test_dataset = MNISTImages(*load_split(args.data_dir, "test"))
    train_loader = DataLoader(dataset=train_dataset, batch_size=BATCH_SIZE, shuffle=True)
    test_loader = DataLoader(dataset=test_dataset, batch_size=BATCH_SIZE, shuffle=False)
    num_epochs = int(N_ITERS / (len(train_dataset) / BATCH_SIZE))

    model = LogisticRegressionModel(28 * 28, 10).to(args.device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)

    iteration, accuracy = 0, float("nan")
    for _ in range(num_epochs):
        for images, labels in train_loader:
            images = images.view(-1, 28 * 28).to(args.device)
            optimizer.zero_grad()
            loss = criterion(model(images), labels.to(args.device))
            loss.backward()
            optimizer.step()
            iteration += 1
            if iteration % EVAL_EVERY == 0:
                accuracy = test_accuracy(model, test_loader, args.device)
                report(step=iteration, test_accuracy=accuracy)
                print(f"Iteration: {iteration}. Loss: {loss.item()}. "
                      f"Accuracy: {100 * accuracy:.2f}")
    report(final=True, test_accuracy=accuracy)


if __name__ == "__main__":
    main()
