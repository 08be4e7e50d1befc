import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Bundles the trainer's src into node_modules/.cache so its bare imports resolve from the package. */
async function loadTrainer() {
  const { build } = await import('tsup');
  const outDir = join(packageRoot, 'node_modules', '.cache', 'hptune-profile-trainer');
  mkdirSync(outDir, { recursive: true });
  await build({
    entry: {
      trainer: join(packageRoot, 'src/training.ts'),
      settings: join(packageRoot, 'src/settings.ts'),
      step: join(packageRoot, 'src/train/step.ts'),
      batches: join(packageRoot, 'src/data/batches.ts'),
      kernels: join(packageRoot, 'src/backends/kernels/index.ts'),
      'simd-runtime': join(packageRoot, 'src/backends/kernels/wasm/simd/runtime.ts'),
    },
    splitting: true,
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    config: false,
    external: [/^@tensorflow\//, /^@hptune\//],
  });
  const load = (name) => import(pathToFileURL(join(outDir, `${name}.js`)).href);
  const [trainer, settings, step, batchesModule, kernels, runtime] = await Promise.all(['trainer', 'settings', 'step', 'batches', 'kernels', 'simd-runtime'].map(load));
  return {
    ...trainer,
    ...settings,
    ...step,
    ...batchesModule,
    kernels,
    setGeneratedKernelsEnabled: runtime.setGeneratedKernelsEnabled,
    setFusedMultiplyAddEnabled: runtime.setFusedMultiplyAddEnabled,
  };
}


const tf = await import('@tensorflow/tfjs');
await import('@tensorflow/tfjs-backend-wasm');
tf.enableProdMode();
const trainer = await loadTrainer();
await tf.setBackend('wasm'); await tf.ready();
trainer.kernels.registerTrainingKernels('wasm');
const size = Number(process.argv[2] ?? 64);
const data = trainer.loadMnist({ trainSize: 60000, testSize: 10000, seed: 42 });
const model = trainer.buildLenet5({ activation: process.argv[3] ?? 'relu', seed: 42 });
const optimizer = trainer.createOptimizer('adam', 0.001);
const step = trainer.createTrainStep(model, optimizer, {});
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session(); session.connect();
if (process.env.PROF) { await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 }); await session.post('Profiler.start'); }
let block = 0, t = performance.now(), c = process.cpuUsage(), n = 0;
for (const batch of trainer.batchesOf(data.train, { batchSize: size, reuseArrays: true })) {
  if (batch.size !== size) break;
  const s0 = performance.now(); await step(batch); n++; if (n <= 8 || n === 20 || n === 40) console.log(`step ${n}: ${(performance.now() - s0).toFixed(2)} ms`);
  if (n % 50 === 0) { const w = performance.now() - t; const u = process.cpuUsage(c); console.log(`steps ${n - 49}-${n}: ${(w / 50).toFixed(3)} ms/step wall, ${((u.user + u.system) / 1000 / 50).toFixed(3)} CPU`); t = performance.now(); c = process.cpuUsage(); if (n >= 600) break; }
  if (n >= Number(process.env.STEPS ?? 1e9)) break;
  if (process.env.PROF && n === Number(process.env.PROF)) { const { profile } = await session.post('Profiler.stop'); writeFileSync('/tmp/prof4/w.cpuprofile', JSON.stringify(profile)); }
}

for (let r = 0; r < 3; r++) { const e0 = performance.now(); const c0 = process.cpuUsage(); await trainer.evaluate(model, data.test); const u = process.cpuUsage(c0); console.log(`evaluate 10k: ${(performance.now() - e0).toFixed(0)} ms wall, ${((u.user + u.system) / 1000).toFixed(0)} CPU`); }
