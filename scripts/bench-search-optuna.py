"""Optuna's side of `pnpm bench:search`: TPESampler with its defaults on the functions of
scripts/bench-search.mjs (keep them in step), and the time of one suggestion with N finished trials.
Prints JSON: {"regrets": [[per seed] per function], "suggestMs": {"100": {"wall": ms, "cpu": ms}, ...}}.
Run by bench-search.mjs with Debian's Python (/usr/bin/python3, python3-optuna)."""
import argparse
import json
import math
import statistics
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
ALPHA = [1, 1.2, 3, 3.2]
OFFSET = {"sgd": 0.5, "adam": 0, "rmsprop": 0.3}
LR_CENTRE = {"sgd": -1.5, "adam": -3, "rmsprop": -2.5}


def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b = 5.1 / (4 * math.pi**2)
    return (x2 - b * x1**2 + (5 / math.pi) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


def hartmann6(trial):
    x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(1, 7)]
    total = 0.0
    for i in range(4):
        inner = sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))
        total += ALPHA[i] * math.exp(-inner)
    return -total


def mixed(trial):
    optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam", "rmsprop"])
    learning_rate = trial.suggest_float("learning_rate", 1e-5, 1, log=True)
    layers = trial.suggest_int("layers", 1, 8)
    units = trial.suggest_int("units", 8, 1024, log=True)
    dropout = trial.suggest_float("dropout", 0, 0.8)
    batch_size = trial.suggest_categorical("batch_size", [16, 32, 64, 128, 256])
    return (
        OFFSET[optimizer]
        + (math.log10(learning_rate) - LR_CENTRE[optimizer]) ** 2
        + 0.1 * (layers - 3) ** 2
        + 0.2 * (math.log2(units) - 7) ** 2
        + 4 * (dropout - 0.25) ** 2
        + 0.3 * (math.log2(batch_size) - 6) ** 2
    )


FUNCTIONS = [(branin, 0.397887357729738), (hartmann6, -3.32236801141551), (mixed, 0.0)]


def regret(objective, minimum, seed, trials):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed), direction="minimize")
    study.optimize(objective, n_trials=trials)
    return study.best_value - minimum


def suggest_ms(count):
    distributions = {f"x{i}": optuna.distributions.FloatDistribution(0, 1) for i in range(1, 7)}
    random = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=99))
    random.optimize(hartmann6, n_trials=count)
    times = []
    cpu = 0.0
    for repeat in range(16):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=1), direction="minimize")
        study.add_trials(random.trials)
        started, cpu_started = time.perf_counter(), time.process_time()
        trial = study.ask()
        for name, distribution in distributions.items():
            trial.suggest_float(name, distribution.low, distribution.high)
        elapsed, cpu_elapsed = (time.perf_counter() - started) * 1000, (time.process_time() - cpu_started) * 1000
        if repeat > 0:  # the first one warms caches
            times.append(elapsed)
            cpu += cpu_elapsed
    return {"wall": statistics.median(times), "cpu": cpu / len(times)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--histories", default="100,500,1000")
    args = parser.parse_args()
    regrets = [[regret(objective, minimum, seed, args.trials) for seed in range(args.seeds)] for objective, minimum in FUNCTIONS]
    timings = {count: suggest_ms(int(count)) for count in args.histories.split(",")}
    print(json.dumps({"regrets": regrets, "suggestMs": timings}))


if __name__ == "__main__":
    main()
