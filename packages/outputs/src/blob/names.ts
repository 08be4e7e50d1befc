import { ValidationError } from '@hptune/trial';

/**
 * Checks a blob name: `/`-separated segments, none empty, `.` or `..`, no backslash, CR, LF or NUL,
 * at most 1024 bytes of UTF-8 (the Cloud Storage limit). Throws a {@link ValidationError} naming the fix.
 */
export function checkBlobName(name: string, field = 'name'): void {
  const fail = (problem: string, fix: string): never => {
    throw new ValidationError({ field, value: name, problem, fix });
  };
  if (typeof name !== 'string' || name.length === 0) fail('must be a non-empty string', 'pass a relative name such as "run/events.out.tfevents.1"');
  if (Buffer.byteLength(name, 'utf8') > 1024) fail('is longer than 1024 bytes', 'use a shorter name');
  if (/[\\\r\n\0]/.test(name)) fail('contains a backslash, CR, LF or NUL', 'use "/" between folders and printable characters');
  for (const segment of name.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      fail('must be a relative path without empty, "." or ".." segments', 'pass e.g. "trial-1/model.json", relative to the destination');
    }
  }
}

/** Checks a list prefix: empty, or a name prefix that cannot climb out of the root. */
export function checkBlobPrefix(prefix: string): void {
  if (prefix === '') return;
  if (/[\\\r\n\0]/.test(prefix) || prefix.startsWith('/') || prefix.split('/').some((s) => s === '..' || s === '.')) {
    throw new ValidationError({ field: 'prefix', value: prefix, problem: 'must be a relative name prefix', fix: 'pass e.g. "trial-1/" or ""' });
  }
}

/**
 * Checks a Cloud Storage bucket name: 3-63 characters (up to 222 with dots) of lowercase letters,
 * digits, `-`, `_` and `.`, starting and ending with a letter or digit.
 * @see https://cloud.google.com/storage/docs/buckets#naming
 */
export function checkBucketName(bucket: string, field = 'bucket'): void {
  const limit = bucket.includes('.') ? 222 : 63;
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket) || bucket.length < 3 || bucket.length > limit || bucket.startsWith('goog')) {
    throw new ValidationError({
      field,
      value: bucket,
      problem: `is not a valid Cloud Storage bucket name (3-${limit} lowercase letters, digits, "-", "_" or ".", starting and ending with a letter or digit, not starting with "goog")`,
      fix: 'pass the bucket as it appears in gs://BUCKET, e.g. "my-project-hptune"',
    });
  }
}
