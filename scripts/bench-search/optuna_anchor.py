"""Optuna's side of `pnpm bench:search` (scripts/bench-search/main.mjs starts it): Debian's
python3-optuna 3.1 for /usr/bin/python3, and for the `optuna-gp` anchor an Optuna with GPSampler
and PyTorch 2 (setup-optuna-gp.sh installs them in a virtual environment of their own). No problem
is defined here: the first line on stdin gives the spaces (hptune's search-space JSON), seeds,
trials and anchors; for every trial this side writes {"evaluate": ...} on stdout and reads back
{"value": ...} (the value the sampler sees), driving each sampler by ask-and-tell. Ends with
{"done": ...} carrying the time of one default TPESampler suggestion with 500 finished trials of
6 doubles."""
import json
import statistics
import sys
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def make_sampler(anchor, seed):
    if anchor == "optuna-tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if anchor == "optuna-tpe-mv":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if anchor == "optuna-cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if anchor == "optuna-gp":
        if not hasattr(optuna.samplers, "GPSampler"):
            raise SystemExit(f"optuna-gp needs an Optuna with GPSampler (3.6 or later; 5.0 is what setup-optuna-gp.sh installs); this Python has Optuna {optuna.__version__}")
        return optuna.samplers.GPSampler(seed=seed)
    raise ValueError(f"unknown anchor {anchor}")


def suggest(trial, name, spec):
    kind = spec["kind"]
    if kind == "categorical":
        return trial.suggest_categorical(name, spec["values"])
    if kind == "discrete":
        # Optuna has no list-of-numbers distribution: users pass such lists as categoricals.
        return trial.suggest_categorical(name, spec["values"])
    if kind == "integer":
        return trial.suggest_int(name, spec["min"], spec["max"], log=spec["scale"] == "log")
    if spec["scale"] == "reverse-log":
        raise ValueError("reverse-log doubles have no Optuna counterpart")
    return trial.suggest_float(name, spec["min"], spec["max"], log=spec["scale"] == "log")


def walk(trial, parameters, out):
    """Suggests the active parameters depth-first: a parameter, then the children its value activates."""
    for name, spec in parameters.items():
        value = suggest(trial, name, spec)
        out[name] = value
        for condition in spec.get("conditions", []):
            if value in condition["parentValues"]:
                walk(trial, condition["parameters"], out)
    return out


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def suggest_ms():
    random = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=99))
    random.optimize(lambda trial: sum((trial.suggest_float(f"x{i}", 0, 1) - 0.3) ** 2 for i in range(1, 7)), n_trials=500)
    times = []
    for repeat in range(11):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=repeat), direction="minimize")
        study.add_trials(random.trials)
        started = time.perf_counter()
        trial = study.ask()
        for i in range(1, 7):
            trial.suggest_float(f"x{i}", 0, 1)
        if repeat > 0:  # the first one warms caches
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main():
    config = json.loads(sys.stdin.readline())
    for job in config["jobs"]:
        problem = config["problems"][job["problem"]]
        started = time.process_time()
        study = optuna.create_study(sampler=make_sampler(job["anchor"], job["seed"]), direction="minimize")
        for index in range(config["trials"]):
            trial = study.ask()
            parameters = walk(trial, problem["space"], {})
            send({"evaluate": {"job": job["id"], "index": index, "parameters": parameters}})
            study.tell(trial, json.loads(sys.stdin.readline())["value"])
        send({"finished": {"job": job["id"], "cpuSeconds": time.process_time() - started}})
    suggest = suggest_ms() if config.get("suggestTime") else None
    send({"done": {"version": optuna.__version__, "suggestMs": suggest, "cpuSeconds": time.process_time()}})


if __name__ == "__main__":
    main()
