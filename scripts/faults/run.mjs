#!/usr/bin/env node
/**
 * hptune's fault campaign (`pnpm test:faults`): runs each case family against the built packages and
 * prints a table (case, tries, passed, what was checked). Seeded: a failure prints the command that
 * replays it. Exit code 1 when any try failed.
 *
 * Usage: node scripts/faults/run.mjs [--seed N] [--full] [--only family,...] [--json]
 *   --full  the README's size (more kills, more fuzzed files, a simulated hour of Cloud Storage)
 * Needs `pnpm build`. Some cases need root (a tmpfs mount); without it they say so and inject faults instead.
 */
import console from 'node:console';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { cleanScratch, seeded } from './lib/env.mjs';

const FAMILIES = ['coordinator-death', 'trainer-faults', 'metric-fuzz', 'storage', 'concurrency', 'cloud-storage', 'bad-input', 'hostile-values', 'adversary'];

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    full: { type: 'boolean', default: false },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const only = values.only ? values.only.split(',') : FAMILIES;
const unknown = only.filter((name) => !FAMILIES.includes(name));
if (!Number.isSafeInteger(seed) || unknown.length > 0) {
  console.error(`usage: node scripts/faults/run.mjs [--seed N] [--full] [--only ${FAMILIES.join(',')}]${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  process.exit(2);
}

const rows = [];
const started = performance.now();
for (const name of only) {
  const family = await import(`./${name}.mjs`);
  const familyStarted = performance.now();
  if (!values.json) console.error(`faults: ${name}...`);
  try {
    for (const row of await family.run({ seed, full: values.full, random: seeded(seed) })) rows.push({ family: name, ...row, seconds: 0 });
  } catch (error) {
    rows.push({ family: name, case: `${name} (the family itself)`, tries: 1, passed: 0, checked: 'runs to the end', failures: [String(error?.stack ?? error)] });
  } finally {
    cleanScratch();
  }
  const seconds = (performance.now() - familyStarted) / 1000;
  for (const row of rows) if (row.family === name) row.seconds = seconds;
  if (!values.json) console.error(`faults: ${name} done in ${seconds.toFixed(1)} s`);
}
const wallSeconds = (performance.now() - started) / 1000;
const failed = rows.filter((row) => row.passed !== row.tries);

if (values.json) {
  console.log(JSON.stringify({ seed, full: values.full, wallSeconds, rows }, null, 2));
} else {
  console.log(`hptune fault campaign: seed ${seed}, ${values.full ? 'full' : 'CI'} size, ${wallSeconds.toFixed(0)} s\n`);
  console.log('| case | tries | passed | what was checked |');
  console.log('| --- | ---: | ---: | --- |');
  for (const row of rows) console.log(`| ${row.case} | ${row.tries} | ${row.passed} | ${row.checked} |`);
  for (const row of failed) {
    console.log(`\nFAILED ${row.case} (${row.tries - row.passed} of ${row.tries}):`);
    for (const failure of row.failures.slice(0, 5)) console.log(`  - ${failure}`);
  }
  if (failed.length > 0) {
    console.log(`\nreplay: node scripts/faults/run.mjs --seed ${seed}${values.full ? ' --full' : ''} --only ${[...new Set(failed.map((row) => row.family))].join(',')}`);
  }
}
process.exitCode = failed.length > 0 ? 1 : 0;
