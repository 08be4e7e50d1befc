import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '@hptune/trial';
import { openBlobStore, parseDestination } from './destination.js';
import { GcsBlobStore } from './gcs.js';
import { LocalBlobStore } from './local.js';

describe('parseDestination', () => {
  it('parses gs:// destinations into bucket and folder', () => {
    expect(parseDestination('gs://my-bucket/studies/s1/')).toEqual({ kind: 'gcs', url: 'gs://my-bucket/studies/s1', bucket: 'my-bucket', prefix: 'studies/s1' });
    expect(parseDestination('gs://my-bucket')).toEqual({ kind: 'gcs', url: 'gs://my-bucket', bucket: 'my-bucket', prefix: '' });
    expect(parseDestination('gs://my.bucket_1/')).toMatchObject({ bucket: 'my.bucket_1', prefix: '' });
  });

  it('resolves local directories, file:// URLs included', () => {
    expect(parseDestination('/tmp/logs')).toEqual({ kind: 'local', url: '/tmp/logs', directory: '/tmp/logs' });
    expect(parseDestination('logs/run')).toMatchObject({ kind: 'local', directory: resolve('logs/run') });
    expect(parseDestination('file:///tmp/x')).toMatchObject({ kind: 'local', directory: '/tmp/x' });
  });

  it.each([
    ['', /is empty/],
    ['gs://', /has no bucket/],
    ['gs:///prefix', /has no bucket/],
    ['gs://My_Bucket/x', /not a valid Cloud Storage bucket name/],
    ['gs://ab', /not a valid Cloud Storage bucket name/],
    ['gs://bucket-ok/a//b', /folder/],
    ['gs://bucket-ok/../b', /folder/],
    ['s3://bucket/x', /uses s3:\/\//],
  ])('rejects %j naming the field, the value and the fix', (value, problem) => {
    const error = (() => {
      try {
        parseDestination(value, '--tensorboard-dir');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('--tensorboard-dir');
    expect((error as ValidationError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(problem);
  });
});

describe('openBlobStore', () => {
  it('opens the store that fits the destination', () => {
    expect(openBlobStore('gs://my-bucket/p')).toBeInstanceOf(GcsBlobStore);
    expect(openBlobStore('/tmp/hptune-never-created')).toBeInstanceOf(LocalBlobStore);
  });

  it('rejects bad retry options before anything is sent', () => {
    expect(() => openBlobStore('gs://my-bucket/p', { retry: { multiplier: 0.5 } })).toThrow(/retry.multiplier 0.5 must be a finite number >= 1/);
  });
});
