import { describe, expect, it } from 'vitest';
import { decodeHParamsPluginDataWithFixtures, encodeHParamsPluginDataWithFixtures } from '@hptune/testing/tensorboard';
import { DatasetType, HParamDataType, SessionStatusCode, decodeHParamsPluginData, decodeValue, encodeHParamsPluginData, encodeValue } from './hparams.js';

describe('HParams plugin data', () => {
  it('encodes an experiment as protobufjs reads it', () => {
    const bytes = encodeHParamsPluginData({
      version: 0,
      experiment: {
        name: 'mnist',
        timeCreatedSecs: 100,
        hparamInfos: [
          { name: 'lr', type: HParamDataType.FLOAT64, domainInterval: { minValue: 0, maxValue: 0.1 } },
          { name: 'act', type: HParamDataType.STRING, domainDiscrete: ['relu', 'tanh'] },
        ],
        metricInfos: [{ name: { tag: 'accuracy' }, datasetType: DatasetType.VALIDATION }],
      },
    });
    expect(decodeHParamsPluginDataWithFixtures(bytes)).toMatchObject({
      version: 0,
      data: 'experiment',
      experiment: {
        name: 'mnist',
        time_created_secs: 100,
        hparam_infos: [
          { name: 'lr', type: 'DATA_TYPE_FLOAT64', domain_interval: { min_value: 0, max_value: 0.1 } },
          { name: 'act', type: 'DATA_TYPE_STRING', domain_discrete: { values: [{ string_value: 'relu' }, { string_value: 'tanh' }] } },
        ],
        metric_infos: [{ name: { group: '', tag: 'accuracy' }, dataset_type: 'DATASET_VALIDATION' }],
      },
    });
  });

  it('encodes session start and end as protobufjs reads them', () => {
    const start = decodeHParamsPluginDataWithFixtures(
      encodeHParamsPluginData({ version: 0, sessionStartInfo: { hparams: { lr: 0.01, act: 'relu', zero: 0 }, groupName: '3', startTimeSecs: 50 } }),
    );
    expect(start).toMatchObject({
      data: 'session_start_info',
      session_start_info: {
        hparams: { lr: { number_value: 0.01 }, act: { string_value: 'relu' }, zero: { number_value: 0 } },
        group_name: '3',
        start_time_secs: 50,
      },
    });
    const end = decodeHParamsPluginDataWithFixtures(encodeHParamsPluginData({ version: 0, sessionEndInfo: { status: SessionStatusCode.FAILURE, endTimeSecs: 60 } }));
    expect(end).toMatchObject({ data: 'session_end_info', session_end_info: { status: 'STATUS_FAILURE', end_time_secs: 60 } });
  });

  it('decodes what protobufjs writes', () => {
    const bytes = encodeHParamsPluginDataWithFixtures({
      version: 0,
      session_start_info: { hparams: { units: { number_value: 84 }, relu: { bool_value: true } }, group_name: 'g', model_uri: 'gs://m' },
    });
    expect(decodeHParamsPluginData(bytes)).toEqual({
      version: 0,
      sessionStartInfo: { hparams: { units: 84, relu: true }, groupName: 'g', modelUri: 'gs://m' },
    });
  });

  it('round-trips every kind of google.protobuf.Value', () => {
    const value = { n: null, x: 1.5, s: 'a', b: false, list: [1, 'two', [true]], nested: { deep: { zero: 0 } } };
    expect(decodeValue(encodeValue(value))).toEqual(value);
  });
});
