// The hptune side of `pnpm bench:search`, in a worker thread (one core) while Optuna runs in a
// Python process (the other): every (problem, algorithm, seed) study, then the suggest time.
import { parentPort, workerData } from 'node:worker_threads';
import { createSampler, searchSpace, double } from '../../packages/core/dist/index.js';
import { PROBLEMS, evaluateProblem } from './problems.mjs';
import { median, regretsAt } from './stats.mjs';

const METRIC = { id: 'value', goal: 'minimize' };
const { problemNames, algorithms, seeds, trials, checkpoints, suggestTime } = workerData;

function finished(id, parameters, value) {
  const measurement = { step: 1, metrics: { value }, elapsedSeconds: 0 };
  return { id: String(id), state: 'SUCCEEDED', parameters, measurements: [measurement], finalMeasurement: measurement };
}

for (const name of problemNames) {
  const problem = PROBLEMS.find((candidate) => candidate.name === name);
  for (const algorithm of algorithms) {
    for (const seed of seeds) {
      const started = performance.now();
      const sampler = createSampler({ algorithm, space: problem.space, metric: METRIC, seed });
      const history = [];
      const evaluations = [];
      for (let index = 0; index < trials; index += 1) {
        const parameters = sampler.suggest(history);
        const evaluation = evaluateProblem(problem, parameters, seed, index);
        evaluations.push(evaluation);
        history.push(finished(index + 1, parameters, evaluation.observed));
      }
      parentPort.postMessage({ result: { problem: name, sampler: algorithm, seed, regrets: regretsAt(evaluations, checkpoints, problem.minimum), seconds: (performance.now() - started) / 1000 } });
    }
  }
}

/** One TPE suggestion with 500 finished trials of 6 doubles: median wall time of 31 after 5 warm-ups, ms. */
function suggestMilliseconds(count) {
  const space = searchSpace(Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`x${i}`, double(0, 1)])));
  const random = createSampler({ algorithm: 'random', space, metric: METRIC, seed: 99 });
  const trials = [];
  for (let n = 0; n < count; n += 1) {
    const parameters = random.suggest(trials);
    trials.push(finished(n + 1, parameters, Object.values(parameters).reduce((sum, v) => sum + (v - 0.3) ** 2, 0)));
  }
  const tpe = createSampler({ algorithm: 'tpe', space, metric: METRIC, seed: 1 });
  for (let repeat = 0; repeat < 5; repeat += 1) tpe.suggest(trials);
  const times = [];
  for (let repeat = 0; repeat < 31; repeat += 1) {
    const started = performance.now();
    tpe.suggest(trials);
    times.push(performance.now() - started);
  }
  return median(times);
}

parentPort.postMessage({ done: { suggestMs: suggestTime ? suggestMilliseconds(500) : undefined } });
