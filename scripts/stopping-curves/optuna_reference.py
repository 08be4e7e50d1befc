"""The reference of `pnpm bench:stopping --curves`: Optuna's pruners given the same curves in the
same order. Reads {"curves": [[...], ...], "runs": [{"rule", "parallel", "studyName"}]} on stdin and
writes, for each run, the step at which each trial was pruned (null: it ran to its end).

Trials run `parallel` at a time in a time model where every step takes the same time: reports are
taken in time order, ties by trial number, and a pruned or finished trial's slot starts the next
trial at once. A pruner is asked after every step but the last: hptune never stops a trial at its
last step (nothing is left to save), so the reference is asked where hptune's rules can act.
Run with Debian's /usr/bin/python3 (python3-optuna, Optuna 3.1).
"""
import heapq
import json
import sys

import optuna
from optuna.trial import TrialState


def pruner_of(rule, steps):
    if rule == "asha":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3, min_early_stopping_rate=0)
    if rule == "median":
        return optuna.pruners.MedianPruner()
    if rule == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=steps, reduction_factor=3)
    raise ValueError(f"no reference for rule {rule!r}")


def run(curves, rule, parallel, study_name):
    steps = len(curves[0])
    study = optuna.create_study(study_name=study_name, direction="maximize", pruner=pruner_of(rule, steps))
    pruned_at = [None] * len(curves)
    events = []  # (time in steps, trial number, step)
    trials = {}
    next_index = 0

    def start(now):
        nonlocal next_index
        if next_index >= len(curves):
            return
        trial = study.ask()
        assert trial.number == next_index
        trials[trial.number] = trial
        heapq.heappush(events, (now + 1, trial.number, 1))
        next_index += 1

    for _ in range(parallel):
        start(0)
    while events:
        now, number, step = heapq.heappop(events)
        trial = trials[number]
        trial.report(curves[number][step - 1], step)
        if step < steps and trial.should_prune():
            pruned_at[number] = step
            study.tell(trial, state=TrialState.PRUNED)
            start(now)
        elif step == steps:
            study.tell(trial, curves[number][step - 1])
            start(now)
        else:
            heapq.heappush(events, (now + 1, number, step + 1))
    return {
        "rule": rule,
        "parallel": parallel,
        "prunedAt": pruned_at,
        "stepsTrained": sum(step if step is not None else steps for step in pruned_at),
        "best": study.best_trial.number + 1,
    }


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    request = json.load(sys.stdin)
    runs = [run(request["curves"], entry["rule"], entry["parallel"], entry["studyName"]) for entry in request["runs"]]
    json.dump({"optuna": optuna.__version__, "runs": runs}, sys.stdout)


if __name__ == "__main__":
    main()
