import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { ValidationError } from '../../errors.js';
import { categorical, discrete, double, integer, searchSpace } from '../../space/builder.js';
import { exampleSearchSpace } from '../../testing/example-space.js';
import { toVertexStudySpec, type VertexStudySpec } from './study-spec.js';

/** Loads google.cloud.aiplatform.v1.StudySpec from the .proto files shipped inside @google-cloud/aiplatform. */
function loadStudySpecType(): protobuf.Type {
  const require = createRequire(import.meta.url);
  const aiplatformProtos = join(dirname(require.resolve('@google-cloud/aiplatform/package.json')), 'build', 'protos');
  // google/api/*.proto that study.proto imports ship with google-gax, aiplatform's own dependency.
  const gaxMain = createRequire(require.resolve('@google-cloud/aiplatform')).resolve('google-gax');
  const gaxProtos = join(dirname(dirname(gaxMain)), 'protos');
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const base of [aiplatformProtos, gaxProtos]) {
      const candidate = join(base, target);
      if (existsSync(candidate)) return candidate;
    }
    return target; // google/protobuf/*.proto: protobufjs has these built in
  };
  root.loadSync('google/cloud/aiplatform/v1/study.proto');
  return root.lookupType('google.cloud.aiplatform.v1.StudySpec');
}

/** What the service would receive: the object encoded with the real message type and decoded back. */
function throughProto(type: protobuf.Type, spec: VertexStudySpec): unknown {
  const message = type.fromObject(spec);
  expect(type.verify(message)).toBeNull();
  const decoded = type.decode(type.encode(message).finish());
  return type.toObject(decoded, { enums: String, longs: Number });
}

describe('toVertexStudySpec', () => {
  let StudySpec: protobuf.Type;
  beforeAll(() => {
    StudySpec = loadStudySpecType();
  });

  test('the example space becomes a GRID_SEARCH StudySpec the aiplatform protos accept unchanged', () => {
    const spec = toVertexStudySpec(exampleSearchSpace, { metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'grid' });
    expect(spec).toEqual({
      metrics: [{ metricId: 'accuracy', goal: 'MAXIMIZE' }],
      parameters: [
        { parameterId: 'activation', categoricalValueSpec: { values: ['relu', 'softmax', 'leakyrelu'] } },
        { parameterId: 'optimizer', categoricalValueSpec: { values: ['sgd', 'adam', 'rmsprop'] } },
        { parameterId: 'batch_size', discreteValueSpec: { values: [32, 64, 128] }, scaleType: 'UNIT_LINEAR_SCALE' },
      ],
      algorithm: 'GRID_SEARCH',
      measurementSelectionType: 'BEST_MEASUREMENT',
    });
    // Round trip through the real message type: a misspelled field or enum value would be dropped and differ.
    expect(throughProto(StudySpec, spec)).toEqual(spec);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  test('every kind, every scale and nested conditionals map to their proto fields', () => {
    const space = searchSpace({
      optimizer: categorical(['sgd', 'adam'], {
        when: [{ parentValues: ['sgd'], parameters: { momentum: double(0, 0.99), nesterov: categorical(['on', 'off']) } }],
      }),
      layers: integer(1, 8, { scale: 'log', when: [{ parentValues: [2, 3], parameters: { width: discrete([256, 64, 128], { scale: 'log' }) } }] }),
      dropout: discrete([0.5, 0.1, 0.25], { when: [{ parentValues: [0.5], parameters: { decay: double(0.5, 0.999, { scale: 'reverse-log' }) } }] }),
      learning_rate: double(1e-4, 1e-1, { scale: 'log' }),
    });
    const spec = toVertexStudySpec(space, { metric: { id: 'val_loss', goal: 'minimize' }, algorithm: 'bayesian', measurementSelection: 'last' });
    expect(spec.metrics).toEqual([{ metricId: 'val_loss', goal: 'MINIMIZE' }]);
    expect(spec.algorithm).toBe('ALGORITHM_UNSPECIFIED');
    expect(spec.measurementSelectionType).toBe('LAST_MEASUREMENT');
    expect(spec.parameters).toEqual([
      {
        parameterId: 'optimizer',
        categoricalValueSpec: { values: ['sgd', 'adam'] },
        conditionalParameterSpecs: [
          { parentCategoricalValues: { values: ['sgd'] }, parameterSpec: { parameterId: 'momentum', doubleValueSpec: { minValue: 0, maxValue: 0.99 }, scaleType: 'UNIT_LINEAR_SCALE' } },
          { parentCategoricalValues: { values: ['sgd'] }, parameterSpec: { parameterId: 'nesterov', categoricalValueSpec: { values: ['on', 'off'] } } },
        ],
      },
      {
        parameterId: 'layers',
        integerValueSpec: { minValue: 1, maxValue: 8 },
        scaleType: 'UNIT_LOG_SCALE',
        conditionalParameterSpecs: [
          { parentIntValues: { values: [2, 3] }, parameterSpec: { parameterId: 'width', discreteValueSpec: { values: [64, 128, 256] }, scaleType: 'UNIT_LOG_SCALE' } },
        ],
      },
      {
        parameterId: 'dropout',
        discreteValueSpec: { values: [0.1, 0.25, 0.5] },
        scaleType: 'UNIT_LINEAR_SCALE',
        conditionalParameterSpecs: [
          { parentDiscreteValues: { values: [0.5] }, parameterSpec: { parameterId: 'decay', doubleValueSpec: { minValue: 0.5, maxValue: 0.999 }, scaleType: 'UNIT_REVERSE_LOG_SCALE' } },
        ],
      },
      { parameterId: 'learning_rate', doubleValueSpec: { minValue: 1e-4, maxValue: 1e-1 }, scaleType: 'UNIT_LOG_SCALE' },
    ]);
    expect(throughProto(StudySpec, spec)).toEqual(spec);
  });

  test('maps random search and defaults to the best measurement', () => {
    const spec = toVertexStudySpec(exampleSearchSpace, { metric: { id: 'accuracy', goal: 'maximize' }, algorithm: 'random' });
    expect(spec.algorithm).toBe('RANDOM_SEARCH');
    expect(spec.measurementSelectionType).toBe('BEST_MEASUREMENT');
  });

  test('rejects grid over a double, a bad metric id or goal, before building anything', () => {
    const withDouble = searchSpace({ lr: double(0.1, 1) });
    const metric = { id: 'accuracy', goal: 'maximize' } as const;
    expect(() => toVertexStudySpec(withDouble, { metric, algorithm: 'grid' })).toThrow(/parameters\.lr\.kind/);
    expect(() => toVertexStudySpec(exampleSearchSpace, { metric: { id: 'val accuracy', goal: 'maximize' }, algorithm: 'grid' })).toThrow(
      /metric\.id "val accuracy" is not a metric id Vertex accepts/,
    );
    expect(() => toVertexStudySpec(exampleSearchSpace, { metric: { id: '', goal: 'maximize' }, algorithm: 'grid' })).toThrow(ValidationError);
    // @ts-expect-error an unknown goal, as from untyped input
    expect(() => toVertexStudySpec(exampleSearchSpace, { metric: { id: 'accuracy', goal: 'up' }, algorithm: 'grid' })).toThrow(/metric\.goal "up"/);
    expect(() => toVertexStudySpec(exampleSearchSpace, { metric, algorithm: 'tpe' })).toThrow(/algorithm "tpe" is not a search algorithm Vertex AI runs; use "grid", "random", "bayesian"/);
  });
});
