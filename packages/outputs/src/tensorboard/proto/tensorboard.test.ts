import { describe, expect, it } from 'vitest';
import { decodeEventWithFixtures, encodeEventWithFixtures } from '@hptune/testing/tensorboard';
import { DataClass, TensorDataType, decodeEvent, encodeEvent, tensorNumbers } from './tensorboard.js';

describe('Event, Summary and TensorProto', () => {
  it('encodes what protobufjs reads with the published field numbers', () => {
    const bytes = encodeEvent({
      wallTime: 1_700_000_000.25,
      step: 12,
      summary: {
        value: [
          {
            tag: 'loss',
            metadata: { pluginData: { pluginName: 'scalars' }, dataClass: DataClass.SCALAR, summaryDescription: 'd', displayName: 'Loss' },
            tensor: { dtype: TensorDataType.DT_FLOAT, shape: [], floatVal: [0.5] },
          },
          { tag: 'h', tensor: { dtype: TensorDataType.DT_DOUBLE, shape: [1, 3], doubleVal: [0, 1, 4] } },
          { tag: 's', tensor: { dtype: TensorDataType.DT_STRING, shape: [2], stringVal: [Uint8Array.of(1), Uint8Array.of(2, 3)] } },
        ],
      },
    });
    const decoded = decodeEventWithFixtures(bytes);
    expect(decoded).toMatchObject({ wall_time: 1_700_000_000.25, step: 12 });
    const [loss, histogram, strings] = decoded.summary?.value ?? [];
    expect(loss).toEqual({
      tag: 'loss',
      metadata: { plugin_data: { plugin_name: 'scalars' }, display_name: 'Loss', summary_description: 'd', data_class: 'DATA_CLASS_SCALAR' },
      tensor: { dtype: 'DT_FLOAT', tensor_shape: {}, float_val: [0.5] },
      value: 'tensor',
    });
    expect(histogram?.tensor).toEqual({ dtype: 'DT_DOUBLE', tensor_shape: { dim: [{ size: 1 }, { size: 3 }] }, double_val: [0, 1, 4] });
    expect(strings?.tensor?.string_val?.map((bytesValue) => [...bytesValue])).toEqual([[1], [2, 3]]);
  });

  it('decodes what protobufjs writes, including legacy simple values and the file version', () => {
    const header = decodeEvent(encodeEventWithFixtures({ wall_time: 5.5, file_version: 'brain.Event:2', source_metadata: { writer: 'tf' } }));
    expect(header).toEqual({ wallTime: 5.5, step: 0, fileVersion: 'brain.Event:2', sourceWriter: 'tf' });
    const event = decodeEvent(
      encodeEventWithFixtures({
        wall_time: 6,
        step: 2 ** 40,
        summary: {
          value: [
            { tag: 'legacy', simple_value: 0.25 },
            { tag: 'img', image: { height: 1, width: 1, encoded_image_string: Buffer.from('x') } },
            { tag: 't', tensor: { dtype: 'DT_DOUBLE', tensor_shape: { dim: [{ size: 2 }] }, tensor_content: Buffer.from(new Float64Array([1.5, -3]).buffer) } },
          ],
        },
      }),
    );
    expect(event.step).toBe(2 ** 40);
    expect(event.summary?.value[0]).toEqual({ tag: 'legacy', simpleValue: 0.25 });
    expect(event.summary?.value[1]).toEqual({ tag: 'img', otherValueField: 4 });
    const tensor = event.summary?.value[2]?.tensor;
    expect(tensor?.shape).toEqual([2]);
    expect(tensorNumbers(tensor as never)).toEqual([1.5, -3]);
    expect(decodeEvent(encodeEventWithFixtures({ wall_time: 1, graph_def: Buffer.from('g') })).otherWhatField).toBe(4);
  });

  it('reads tensor values from each representation', () => {
    expect(tensorNumbers({ dtype: TensorDataType.DT_FLOAT, shape: [], floatVal: [2.5] })).toEqual([2.5]);
    expect(tensorNumbers({ dtype: TensorDataType.DT_FLOAT, shape: [3], floatVal: [7] })).toEqual([7, 7, 7]);
    expect(tensorNumbers({ dtype: TensorDataType.DT_INT64, shape: [2], tensorContent: new Uint8Array(new BigInt64Array([5n, -6n]).buffer) })).toEqual([5, -6]);
    expect(() => tensorNumbers({ dtype: TensorDataType.DT_DOUBLE, shape: [1], tensorContent: new Uint8Array(5) })).toThrow(/not a whole number of 8-byte elements/);
  });
});
