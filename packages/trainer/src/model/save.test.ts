import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { HptuneError } from '@hptune/trial';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLenet5 } from './lenet5.js';
import { loadModel, saveModel } from './save.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('saveModel', () => {
  it('writes model.json and weights.bin that load back into the same model', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hptune-save-')), 'model');
    const model = buildLenet5({ activation: 'leakyrelu', seed: 4 });
    model.setUserDefinedMetadata({ hptune: { activation: 'leakyrelu' } });
    const saved = await saveModel(model, dir);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(saved.weightBytes).toBe(61_706 * 4);
    expect(statSync(saved.weightsBin).size).toBe(61_706 * 4);
    const json = JSON.parse(readFileSync(saved.modelJson, 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: expect.any(Array) }]);
    expect(json.weightsManifest[0].weights.map((spec: { name: string }) => spec.name)).toContain('conv1/kernel');
    expect(json.userDefinedMetadata).toEqual({ hptune: { activation: 'leakyrelu' } });

    const loaded = await loadModel(dir);
    const input = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 3);
    const [before, after] = [model, loaded].map((m) => (m.predict(input) as tf.Tensor).dataSync());
    expect(Array.from(after ?? [])).toEqual(Array.from(before ?? []));
    tf.dispose([input]);
    model.dispose();
    loaded.dispose();
  });

  it('says which directory it could not save to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hptune-save-'));
    writeFileSync(join(dir, 'file'), '');
    const model = buildLenet5({ activation: 'relu', seed: 4 });
    await expect(saveModel(model, join(dir, 'file', 'model'))).rejects.toThrow(HptuneError);
    await expect(saveModel(model, join(dir, 'file', 'model'))).rejects.toThrow(`cannot save the model to ${join(dir, 'file', 'model')}`);
    model.dispose();
  });

  it('says which model it could not load', async () => {
    await expect(loadModel('/nonexistent/model')).rejects.toMatchObject({ code: 'MODEL_LOAD_FAILED', message: expect.stringContaining('/nonexistent/model/model.json') });
  });
});
