// The hptune side of `pnpm bench:search`, in a worker thread (one core) while Optuna runs in a
// Python process (the other): every (problem, algorithm, seed) study.
import { parentPort, workerData } from 'node:worker_threads';
import { createSampler } from '../../packages/core/dist/index.js';
import { PROBLEMS, evaluateProblem } from './problems.mjs';
import { EXTRA_PROBLEMS } from './tuning-extra.mjs';
import { regretsAt } from './stats.mjs';

const METRIC = { id: 'value', goal: 'minimize' };
const { problemNames, algorithms, seeds, trials, checkpoints } = workerData;

function finished(id, parameters, value) {
  const measurement = { step: 1, metrics: { value }, elapsedSeconds: 0 };
  return { id: String(id), state: 'SUCCEEDED', parameters, measurements: [measurement], finalMeasurement: measurement };
}

for (const name of problemNames) {
  const problem = [...PROBLEMS, ...EXTRA_PROBLEMS].find((candidate) => candidate.name === name);
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
      const curve = problem.family === 'lenet5' ? { curve: regretsAt(evaluations, evaluations.map((_, index) => index + 1), problem.minimum) } : {};
      parentPort.postMessage({ result: { problem: name, sampler: algorithm, seed, regrets: regretsAt(evaluations, checkpoints, problem.minimum), ...curve, seconds: (performance.now() - started) / 1000 } });
    }
  }
}

parentPort.postMessage({ done: {} });
