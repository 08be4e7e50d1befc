import type { MultiArrayKernel } from './array-kernel.js';

/** The tfjs kernel name of {@link softmaxCrossEntropyKernel}. */
export const SOFTMAX_CROSS_ENTROPY_KERNEL = 'HptuneSoftmaxCrossEntropy';

/** The clip bounds of the probabilities, in float32 as tfjs's ClipByValue compares them. */
const LOW = Math.fround(1e-7);
const HIGH = Math.fround(1 - 1e-7);

/**
 * The trainer's output layer and loss in one pass, forward and backward: softmax over the last
 * axis of `logits` [N, C], categorical cross-entropy against `labels` [N, C] with the
 * probabilities clipped to [1e-7, 1 − 1e-7] (the clip's gradient is 0 outside it, as tfjs's),
 * averaged over the batch. Outputs `metrics` [2] = (mean loss, rows whose most probable class,
 * first on ties, is the labelled one) and the loss' gradient with respect to the logits [N, C].
 */
export const softmaxCrossEntropyKernel: MultiArrayKernel = {
  kernelName: SOFTMAX_CROSS_ENTROPY_KERNEL,
  inputNames: ['logits', 'labels'],
  plan([logits, labels]) {
    const shape = logits!.shape;
    if (shape.length !== 2 || labels!.shape.length !== 2 || labels!.shape[0] !== shape[0] || labels!.shape[1] !== shape[1]) {
      throw new Error(`${SOFTMAX_CROSS_ENTROPY_KERNEL}: logits [${shape.join(',')}] and labels [${labels!.shape.join(',')}] must be the same [N, C]`);
    }
    const [rows = 0, classes = 0] = shape;
    return {
      outputShapes: [[2], [rows, classes]],
      run([z, y], [metrics, dz]) {
        const probabilities = new Float64Array(classes);
        let lossSum = 0;
        let correct = 0;
        for (let row = 0; row < rows; row++) {
          const base = row * classes;
          let max = -Infinity;
          for (let j = 0; j < classes; j++) max = Math.max(max, z![base + j]!);
          let expSum = 0;
          for (let j = 0; j < classes; j++) {
            const e = Math.fround(Math.exp(z![base + j]! - max));
            probabilities[j] = e;
            expSum += e;
          }
          let best = 0;
          let label = 0;
          let rowLoss = 0;
          let weighted = 0;
          for (let j = 0; j < classes; j++) {
            const p = Math.fround(probabilities[j]! / Math.fround(expSum));
            probabilities[j] = p;
            if (p > probabilities[best]!) best = j;
            const target = y![base + j]!;
            if (target > y![base + label]!) label = j;
            const clipped = Math.min(Math.max(p, LOW), HIGH);
            rowLoss -= target * Math.fround(Math.log(clipped));
            // d(mean loss)/dp_j, zero where the clip is active.
            const gradient = p >= LOW && p <= HIGH ? -target / clipped / rows : 0;
            dz![base + j] = gradient;
            weighted += gradient * p;
          }
          for (let j = 0; j < classes; j++) dz![base + j] = probabilities[j]! * (dz![base + j]! - weighted);
          lossSum += rowLoss;
          if (best === label) correct += 1;
        }
        metrics![0] = rows === 0 ? 0 : lossSum / rows;
        metrics![1] = correct;
      },
    };
  },
};
