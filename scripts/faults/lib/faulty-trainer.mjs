#!/usr/bin/env node
// The campaign's trainer: speaks the trial contract (--<param>=<value>, CLOUD_ML_HP_METRIC_FILE,
// CLOUD_ML_TRIAL_ID) in milliseconds, and misbehaves on demand.
//   --epochs=N --sleep-ms=M   reports per epoch of `accuracy` (the sum of numeric parameters / 1000) and `loss`
//   --log=FILE                appends {"event":"start"|"end", pid, start, trial, parameters} lines
//   --fault=MODE              misbehave in every trial; --fault-param=ID: the parameter ID's value is the mode
// Modes: ok; exit:N; signal:NAME (kills itself after the first epoch); stop (SIGSTOP itself);
// garbage (random bytes as the metric file, exit 0); half (half a line at the end, exit 0);
// stderr:MiB (floods stderr, then exit 1); metric-file:PATH (that file becomes the metric file, exit 0);
// leave-child (starts a child that ignores SIGTERM and runs on, logged as {"event":"child"}, then finishes as ok);
// linger:MS (reports every epoch as ok, then waits MS before exiting 0, writing nothing more).
// Every run writes argv.json (its argv after the script) to its working directory.
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import process from 'node:process';

const argv = process.argv.slice(2);
writeFileSync('argv.json', JSON.stringify(argv));
const own = { epochs: '2', 'sleep-ms': '10', log: undefined, fault: 'ok', 'fault-param': undefined };
const parameters = {};
for (const arg of argv) {
  const match = /^--([^=]+)=(.*)$/s.exec(arg);
  if (!match) process.exit(64);
  if (match[1] in own) own[match[1]] = match[2];
  else parameters[match[1]] = match[2];
}
const trial = process.env.CLOUD_ML_TRIAL_ID ?? '0';
const metricFile = process.env.CLOUD_ML_HP_METRIC_FILE;
const stat = readFileSync('/proc/self/stat', 'utf8');
const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
const log = (event) => own.log && appendFileSync(own.log, JSON.stringify({ event, pid: process.pid, start, trial, parameters }) + '\n');
log('start');

const mode = own['fault-param'] ? parameters[own['fault-param']] : own.fault;
const [kind, detail] = [mode.split(':')[0], mode.slice(mode.indexOf(':') + 1)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const score = Object.values(parameters).reduce((sum, value) => sum + (Number.isFinite(Number(value)) ? Number(value) : 0), 0) / 1000;
const lines = [];
const write = (text) => {
  mkdirSync(dirname(metricFile), { recursive: true });
  writeFileSync(`${metricFile}.tmp`, text);
  renameSync(`${metricFile}.tmp`, metricFile);
};
const report = (tag, value, step) => {
  lines.push(JSON.stringify({ [tag]: String(value), global_step: String(step), timestamp: Date.now() / 1000, trial }));
  write(lines.join('\n') + '\n');
};

if (kind === 'leave-child') {
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
  child.unref();
  await new Promise((resolve) => child.once('spawn', resolve));
  const childStat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  if (own.log) appendFileSync(own.log, JSON.stringify({ event: 'child', pid: child.pid, start: childStat.slice(childStat.lastIndexOf(')') + 2).split(' ')[19], trial }) + '\n');
}
if (kind === 'metric-file') {
  mkdirSync(dirname(metricFile), { recursive: true });
  copyFileSync(detail, metricFile);
  process.exit(0);
}
const epochs = Number(own.epochs);
for (let epoch = 1; epoch <= epochs; epoch += 1) {
  await sleep(Number(own['sleep-ms']));
  report('accuracy', (score * epoch) / epochs, epoch);
  report('loss', 1 / epoch, epoch);
  if (epoch !== 1) continue;
  if (kind === 'exit') process.exit(Number(detail));
  if (kind === 'signal') process.kill(process.pid, detail);
  if (kind === 'stop') process.kill(process.pid, 'SIGSTOP');
  if (kind === 'stderr') {
    const block = Buffer.alloc(64 * 1024, 'x\n');
    for (let written = 0; written < Number(detail) * 1024 * 1024; written += block.length) writeSync(2, block);
    process.exit(1);
  }
  if (kind === 'garbage') {
    write(randomBytes(4096));
    process.exit(0);
  }
  if (kind === 'half') {
    const last = lines.at(-1);
    write(lines.slice(0, -1).join('\n') + '\n' + last.slice(0, Math.floor(last.length / 2)));
    process.exit(0);
  }
}
if (kind === 'linger') await sleep(Number(detail));
log('end');
