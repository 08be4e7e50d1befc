#!/usr/bin/env node
// A study coordinator in its own process, so a case can kill it with SIGKILL as the OOM killer would.
//   node coordinator.mjs launch '<launchStudy options as JSON; space as searchSpaceToJSON; backend: local() options>'
//   node coordinator.mjs resume '<{ name, studyDir, backend, ... } as JSON>'
// Prints {"event":"launched"} once the study runs, then {"event":"done","state"} or {"event":"error","code","message"}.
import console from 'node:console';
import process from 'node:process';
import { importCore } from './env.mjs';

if (process.env.HPTUNE_FAULTS_UMASK) process.umask(Number(process.env.HPTUNE_FAULTS_UMASK));
const [mode, json] = process.argv.slice(2);
const core = await importCore();
const options = JSON.parse(json);
const print = (line) => console.log(JSON.stringify(line));
try {
  const backend = core.local(options.backend ?? {});
  const study =
    mode === 'launch'
      ? await core.launchStudy({ ...options, space: core.searchSpaceFromJSON(options.space), backend })
      : await core.resumeStudy(options.name, { ...options, backend });
  print({ event: 'launched', pid: process.pid });
  const result = await study.wait();
  print({ event: 'done', state: result.study.state });
} catch (error) {
  print({ event: 'error', code: error.code, message: error.message });
  process.exitCode = 1;
}
