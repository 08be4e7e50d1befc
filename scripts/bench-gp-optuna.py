"""Optuna's side of scripts/bench-gp.mjs: TPESampler and CmaEsSampler (defaults, seeded) on the
problems of bench-gp.mjs (keep the two lists in step). Prints JSON:
{"version": "3.1.0", "tpe": {problem: [final regret per seed]}, "cmaes": {...}}.
Run by bench-gp.mjs with Debian's Python (/usr/bin/python3, python3-optuna and its cmaes)."""
import argparse
import json
import math
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")

H3_A = [[3, 10, 30], [0.1, 10, 35], [3, 10, 30], [0.1, 10, 35]]
H3_P = [[0.3689, 0.1170, 0.2673], [0.4699, 0.4387, 0.7470], [0.1091, 0.8732, 0.5547], [0.03815, 0.5743, 0.8828]]
H6_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
H6_P = [
    [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
    [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
    [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.665],
    [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
]
ALPHA = [1, 1.2, 3, 3.2]
OFFSET = {"sgd": 0.5, "adam": 0, "rmsprop": 0.3}
LR_CENTRE = {"sgd": -1.5, "adam": -3, "rmsprop": -2.5}


def hartmann(x, a, p):
    return -sum(ALPHA[i] * math.exp(-sum(a[i][j] * (x[j] - p[i][j]) ** 2 for j in range(len(x)))) for i in range(4))


def branin(x):
    b = 5.1 / (4 * math.pi**2)
    return (x[1] - b * x[0] ** 2 + (5 / math.pi) * x[0] - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x[0]) + 10


def camel(x):
    a, b = x
    return (4 - 2.1 * a * a + a**4 / 3) * a * a + a * b + (-4 + 4 * b * b) * b * b


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    total = math.sin(math.pi * w[0]) ** 2
    for v in w[:-1]:
        total += (v - 1) ** 2 * (1 + 10 * math.sin(math.pi * v + 1) ** 2)
    return total + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def ackley(x):
    d = len(x)
    return -20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / d)) - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / d) + 20 + math.e


def styblinski(x):
    return 0.5 * sum(v**4 - 16 * v * v + 5 * v for v in x)


# name -> (bounds per dimension, function, minimum); the continuous problems of bench-gp.mjs.
CONTINUOUS = {
    "branin": ([(-5, 10), (0, 15)], branin, 0.397887357729738),
    "camel": ([(-3, 3), (-2, 2)], camel, -1.0316284534898774),
    "hartmann3": ([(0, 1)] * 3, lambda x: hartmann(x, H3_A, H3_P), -3.86278214782076),
    "hartmann6": ([(0, 1)] * 6, lambda x: hartmann(x, H6_A, H6_P), -3.32236801141551),
    "rosenbrock4": ([(-5, 10)] * 4, rosenbrock, 0.0),
    "levy5": ([(-10, 10)] * 5, levy, 0.0),
    "ackley4": ([(-5, 10)] * 4, ackley, 0.0),
    "styblinski8": ([(-5, 5)] * 8, styblinski, -39.16616570377142 * 8),
}


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


def objective_of(name):
    if name == "mixed":
        return mixed, 0.0
    bounds, fn, minimum = CONTINUOUS[name]
    return (lambda trial: fn([trial.suggest_float(f"x{i + 1}", low, high) for i, (low, high) in enumerate(bounds)])), minimum


def regret(name, sampler, trials):
    objective, minimum = objective_of(name)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=trials)
    return study.best_value - minimum


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--trials", type=int, default=60)
    parser.add_argument("--problems", default=",".join([*CONTINUOUS, "mixed"]))
    args = parser.parse_args()
    names = args.problems.split(",")
    result = {"version": optuna.__version__, "tpe": {}, "cmaes": {}}
    for name in names:
        result["tpe"][name] = [regret(name, optuna.samplers.TPESampler(seed=seed), args.trials) for seed in range(args.seeds)]
        if name in CONTINUOUS:
            result["cmaes"][name] = [regret(name, optuna.samplers.CmaEsSampler(seed=seed), args.trials) for seed in range(args.seeds)]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
