#!/usr/bin/env node
/**
 * Benchmark (not a test): bytes uploaded by the TensorBoard syncer over a simulated hour of training
 * with a 30 s sync interval, against the loopback GCS fixture, through the real @google-cloud/storage
 * client.
 *
 * Time is simulated: every simulated second the trainer logs scalars into real event files (the
 * @hptune/core SummaryWriter, with a simulated clock); every simulated minute (an "epoch") it adds
 * weight histograms, test metrics and images; the writer flushes every 5 simulated seconds; the
 * syncer's sync step runs every 30 simulated seconds. Wall time is whatever the machine needs.
 *
 * Needs the built core: `pnpm --filter @hptune/core build`. The GCS fixture is TypeScript in
 * @hptune/testing (packages/testing/src/gcs); this script compiles it with tsup (the repo's build
 * tool) as the fault campaign does (`scripts/faults/lib/fixtures.mjs`) before starting it.
 *
 * Usage: node scripts/bench-sync.mjs [--minutes 60] [--interval-s 30] [--json]
 */
import console from 'node:console';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { seeded } from './faults/lib/env.mjs';
import { loadFixtures } from './faults/lib/fixtures.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const core = join(root, 'packages', 'core');

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    'interval-s': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const intervalSeconds = Number(values['interval-s']);
if (!(minutes > 0) || !(intervalSeconds > 0)) {
  console.error('--minutes and --interval-s must be positive numbers');
  process.exit(2);
}

const hptune = await import(pathToFileURL(join(core, 'dist', 'tensorboard.js')).href).catch((error) => {
  console.error(`cannot load the built @hptune/core (${error.message}); run: pnpm --filter @hptune/core build`);
  process.exit(1);
});
const { startGcsFixture } = await loadFixtures();

const bucket = 'hptune-bench';
const fixture = await startGcsFixture({ buckets: [bucket] });
const logRoot = await mkdtemp(join(tmpdir(), 'hptune-bench-sync-'));
const random = seeded(2024);
let simulatedMs = Date.UTC(2026, 0, 1);
const now = () => simulatedMs;

try {
  const train = new hptune.SummaryWriter({ logDir: join(logRoot, 'trial-1', 'train'), flushIntervalMs: 0, now, hostname: 'bench' });
  const evaluation = new hptune.SummaryWriter({ logDir: join(logRoot, 'trial-1', 'eval'), flushIntervalMs: 0, now, hostname: 'bench' });
  const warnings = [];
  const syncer = new hptune.TensorBoardSyncer({
    localDir: logRoot,
    destination: `gs://${bucket}/studies/bench`,
    gcs: { apiEndpoint: fixture.url, projectId: 'bench' },
    intervalMs: intervalSeconds * 1000,
    onWarning: (warning) => warnings.push(warning),
  });

  const localBytes = async (directory) => {
    let total = 0;
    for (const entry of await readdir(directory, { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) total += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
    }
    return total;
  };

  const started = performance.now();
  const totalSeconds = minutes * 60;
  const stepsPerSecond = 4;
  let rounds = 0;
  let wholeFileBytes = 0;
  for (let second = 1; second <= totalSeconds; second++) {
    simulatedMs += 1000;
    for (let k = 0; k < stepsPerSecond; k++) {
      const step = (second - 1) * stepsPerSecond + k;
      const loss = 2.3 * Math.exp(-step / 4000) + 0.05 * random();
      train.scalar('loss', loss, step);
      train.scalar('accuracy', 1 - loss / 2.5, step);
    }
    train.scalar('learning_rate', 0.01 * 0.999 ** second, second * stepsPerSecond);
    train.scalar('images_per_second', 900 + 100 * random(), second * stepsPerSecond);
    if (second % 60 === 0) {
      const epoch = second / 60;
      for (const layer of ['conv1', 'conv2', 'dense1', 'dense2', 'dense3']) {
        const weights = Float64Array.from({ length: 2000 }, () => (random() - 0.5) / Math.sqrt(epoch));
        train.histogram(`weights/${layer}`, weights, epoch);
      }
      evaluation.scalar('loss', 0.1 + random() / epoch, epoch);
      evaluation.scalar('accuracy', 0.99 - random() / (10 * epoch), epoch);
      const pixels = Uint8Array.from({ length: 28 * 28 * 3 }, () => Math.floor(random() * 256));
      evaluation.image('test_images', [0, 1, 2].map(() => ({ width: 28, height: 28, channels: 1, pixels: pixels.subarray(0, 28 * 28) })), epoch);
    }
    if (second % 5 === 0) {
      train.flush();
      evaluation.flush();
    }
    if (second % intervalSeconds === 0) {
      await syncer.sync();
      rounds++;
      // What re-uploading every grown file whole would have sent this round.
      wholeFileBytes += await localBytes(logRoot);
    }
  }
  train.close();
  evaluation.close();
  const report = await syncer.stop();
  rounds++;
  wholeFileBytes += report.bytesWritten;
  const wallSeconds = (performance.now() - started) / 1000;

  const result = {
    simulatedMinutes: minutes,
    syncIntervalSeconds: intervalSeconds,
    syncRounds: rounds,
    files: report.files,
    bytesWritten: report.bytesWritten,
    bytesUploaded: report.bytesUploaded,
    objectBytesReceivedByFixture: fixture.stats.objectBytesReceived,
    httpBodyBytesReceivedByFixture: fixture.stats.bytesReceived,
    requests: fixture.stats.requests,
    ratio: fixture.stats.objectBytesReceived / report.bytesWritten,
    httpRatio: fixture.stats.bytesReceived / report.bytesWritten,
    wholeFileReuploadBytes: wholeFileBytes,
    wholeFileReuploadRatio: wholeFileBytes / report.bytesWritten,
    verified: report.verified,
    warnings: warnings.length,
    wallSeconds: Number(wallSeconds.toFixed(1)),
  };
  if (values.json) {
    console.log(JSON.stringify(result));
  } else {
    const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
    console.log(`TensorBoard sync benchmark: ${minutes} simulated minutes, sync every ${intervalSeconds} s (${rounds} rounds), GCS fixture`);
    console.log(`  files                      ${result.files}`);
    console.log(`  bytes written              ${result.bytesWritten} (${mib(result.bytesWritten)})`);
    console.log(`  bytes uploaded (object)    ${result.objectBytesReceivedByFixture} (${mib(result.objectBytesReceivedByFixture)})  ratio ${result.ratio.toFixed(3)}x`);
    console.log(`  HTTP body bytes            ${result.httpBodyBytesReceivedByFixture}  ratio ${result.httpRatio.toFixed(3)}x (multipart framing, compose JSON), ${result.requests} requests`);
    console.log(`  re-uploading whole files   ${wholeFileBytes} (${mib(wholeFileBytes)})  ratio ${result.wholeFileReuploadRatio.toFixed(1)}x (what append-by-compose avoids)`);
    console.log(`  verified                   ${report.verified}${report.verified ? '' : `: ${hptune.formatSyncReport(report)}`}`);
    console.log(`  wall time                  ${result.wallSeconds} s`);
  }
  if (!report.verified || result.ratio > 1.1) process.exitCode = 1;
} finally {
  await fixture.close();
  await rm(logRoot, { recursive: true, force: true });
}
