import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildLenet5 } from '../../model/lenet5.js';
import { planSequentialTraining } from './plan.js';

describe('planSequentialTraining', () => {
  it('reads LeNet-5 into its stages, folding leaky relu into the layer before it', () => {
    const model = buildLenet5({ activation: 'leakyrelu', seed: 1 });
    const outcome = planSequentialTraining(model);
    if (!outcome.supported) throw new Error(outcome.reason);
    expect(outcome.plan.stages.map((stage) => stage.kind)).toEqual(['rescale', 'conv2d', 'pool', 'conv2d', 'pool', 'flatten', 'dense', 'dense', 'dense']);
    const activations = outcome.plan.stages.flatMap((stage) => (stage.kind === 'conv2d' || stage.kind === 'dense' ? [stage.activation] : []));
    expect(activations).toEqual([...Array.from({ length: 4 }, () => ({ kind: 'leakyrelu', alpha: 0.01 })), { kind: 'linear' }]);
    expect(outcome.plan.variables).toEqual(model.trainableWeights.map((weight) => weight.read()));
    model.dispose();
  });

  it('declines what it does not model, saying which layer and why', () => {
    const dropout = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }), tf.layers.dropout({ rate: 0.5, name: 'drop' }), tf.layers.dense({ units: 2, activation: 'softmax' })],
    });
    expect(planSequentialTraining(dropout)).toEqual({ supported: false, reason: 'drop: layer Dropout' });
    const regularized = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax', kernelRegularizer: tf.regularizers.l2(), name: 'reg' })] });
    expect(planSequentialTraining(regularized)).toMatchObject({ supported: false, reason: 'reg: kernelRegularizer' });
    const logits = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });
    expect(planSequentialTraining(logits)).toMatchObject({ supported: false, reason: 'the last layer is not a Dense layer with softmax' });
    const tanh = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'tanh', name: 'th' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    expect(planSequentialTraining(tanh)).toMatchObject({ supported: false, reason: 'th: activation tanh' });
    for (const model of [dropout, regularized, logits, tanh]) model.dispose();
  });
});
