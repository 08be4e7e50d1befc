// Cloud Storage faults: the TensorBoard syncer and the verified model upload over a simulated hour
// of training, with 20% of requests to the GCS fixture failing (429, 503, connection resets before
// and after the service committed, timeouts). Every byte lands verified; the object bytes the
// service received stay at most 1.1x bytes written (bytes the client sent are reported too); the
// access token (served by the metadata fixture, sent on every request) appears in no warning,
// error, report or inspected error object.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { CaseResult, problemList } from './lib/cases.mjs';
import { importCore, scratchDir } from './lib/env.mjs';
import { loadFixtures } from './lib/fixtures.mjs';

/** The faults, each on an equal share of requests, 20% of requests in all. */
const FAULTS = [
  { fault: { kind: 'status', status: 429 } },
  { fault: { kind: 'status', status: 503 } },
  { fault: { kind: 'reset' } },
  { fault: { kind: 'reset' }, phase: 'after' },
  { fault: { kind: 'delay', ms: 1_500 } },
];
const FAULT_RATE = 0.2;

export async function run({ full, random }) {
  const { startGcsFixture, startMetadataFixture } = await loadFixtures();
  const tensorboard = await importCore('tensorboard');
  const blob = await importCore('blob');
  const token = `ya29.faults-${randomBytes(12).toString('hex')}`;
  const metadata = await startMetadataFixture({ accessToken: token });
  const bucket = 'hptune-faults';
  const fixture = await startGcsFixture({ buckets: [bucket], random, maxDelayMs: 5_000, requireBearerToken: token });
  // Google's auth library finds the metadata fixture as on a Google Cloud machine (without the probe
  // of the real server's root, which the fixture does not serve), so every request carries the token.
  const previous = { GCE_METADATA_HOST: process.env.GCE_METADATA_HOST, METADATA_SERVER_DETECTION: process.env.METADATA_SERVER_DETECTION };
  Object.assign(process.env, { GCE_METADATA_HOST: metadata.host, METADATA_SERVER_DETECTION: 'assume-present' });
  const perFault = 1 - (1 - FAULT_RATE) ** (1 / FAULTS.length);
  const gcs = { apiEndpoint: fixture.url, projectId: 'faults', authenticate: true, requestTimeoutMs: 500 };
  const retry = { initialDelayMs: 5, maxDelayMs: 50, maxAttempts: 6 };
  const minutes = full ? 60 : 10;
  const dir = scratchDir('gcs');
  const logRoot = join(dir, 'logs');
  const texts = [];
  const row = new CaseResult(`Cloud Storage: TensorBoard sync and model upload, ${minutes} simulated minutes, ${FAULT_RATE * 100}% faults`, 'every file lands with the same size and CRC-32C; object bytes the service received <= 1.1x bytes written; the access token (on every request) appears in no warning, error or report');
  try {
    let simulatedMs = Date.UTC(2026, 0, 1);
    const now = () => simulatedMs;
    const train = new tensorboard.SummaryWriter({ logDir: join(logRoot, 'trial-1', 'train'), flushIntervalMs: 0, now, hostname: 'faults' });
    const syncer = new tensorboard.TensorBoardSyncer({
      localDir: logRoot,
      destination: `gs://${bucket}/studies/faults`,
      gcs,
      retry,
      intervalMs: 30_000,
      onWarning: (warning) => texts.push(warning.message, String(warning.cause), inspect(warning, { depth: 6 })),
    });
    const models = blob.openBlobStore(`gs://${bucket}/models`, { gcs, retry });
    for (const rule of FAULTS) fixture.inject({ ...rule, times: Infinity, chance: perFault });
    let modelBytes = 0;
    const uploaded = [];
    for (let second = 1; second <= minutes * 60; second++) {
      simulatedMs += 1000;
      for (let k = 0; k < 4; k++) train.scalar('loss', 2 * Math.exp(-(second * 4 + k) / 4000) + 0.05 * random(), second * 4 + k);
      if (second % 60 === 0) train.histogram('weights/dense', Float64Array.from({ length: 1000 }, () => random() - 0.5), second / 60);
      if (second % 5 === 0) train.flush();
      if (second % 30 === 0) await syncer.sync();
      if (second % 600 === 0) {
        // A checkpoint every ten simulated minutes, uploaded and verified as the trainer does.
        const file = join(dir, `model-${second}.bin`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(file, randomBytes(random.int(64, 512) * 1024));
        modelBytes += readFileSync(file).length;
        try {
          await blob.uploadFileVerified(models, file, `model-${second}.bin`);
          uploaded.push(file);
        } catch (error) {
          texts.push(error.message, inspect(error, { depth: 6 }));
          uploaded.push(file);
        }
      }
    }
    train.close();
    const report = await syncer.stop();
    texts.push(tensorboard.formatSyncReport(report), inspect(report, { depth: 6 }));
    const { problems, expect } = problemList();
    expect(report.verified, `sync not verified: ${tensorboard.formatSyncReport(report)}`);
    for (const file of uploaded) {
      const name = `models/${file.slice(dir.length + 1)}`;
      expect(fixture.getObject(bucket, name)?.data.equals(readFileSync(file)), `${name} did not land whole`);
    }
    // Two figures: the object bytes the service took in (what it stored, twice when an answer was
    // lost after the commit), checked against the bound; and every byte the client sent, rejected
    // attempts included, reported (a whole-object retry resends the object, so it tracks the fault rate).
    const written = report.bytesWritten + modelBytes;
    const received = fixture.stats.objectBytesReceived / written;
    const sent = (report.bytesUploaded + models.bytesUploaded) / written;
    row.checked += ` (this run: ${fixture.stats.faultsPlayed} faults in ${fixture.stats.requests} requests; ${(written / 1024 / 1024).toFixed(1)} MiB written; object bytes the service received ${received.toFixed(3)}x; bytes the client sent, rejected attempts included, ${sent.toFixed(3)}x)`;
    expect(received <= 1.1, `the service received ${fixture.stats.objectBytesReceived} object bytes for ${written} written (${received.toFixed(3)}x)`);
    expect(fixture.stats.faultsPlayed / fixture.stats.requests > FAULT_RATE * 0.6, `only ${fixture.stats.faultsPlayed} faults in ${fixture.stats.requests} requests`);
    expect(metadata.requests.some((request) => request.path.endsWith('/token') && request.status === 200), 'no access token was ever fetched: requests were not authenticated');
    const leaks = texts.filter((text) => text.includes(token));
    expect(leaks.length === 0, `the access token appears in ${leaks.length} outputs, e.g. ${leaks[0]?.slice(0, 200)}`);
    row.record(`seeded run`, problems);
  } finally {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await fixture.close();
    await metadata.close();
  }
  return [row];
}
