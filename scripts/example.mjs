#!/usr/bin/env node
// `pnpm example <name> [args...]`: runs examples/<name>.ts with tsx, which strips the types on any
// Node this repository supports (Node 20 has no --experimental-strip-types). Run `pnpm build` first:
// the examples import the built packages, as a user's code does.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url));
const names = readdirSync(examplesDir)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !names.includes(name)) {
  const said = name ? `there is no example ${JSON.stringify(name)}` : 'name an example';
  process.stderr.write(`hptune example: ${said}; run one of ${names.join(', ')}, e.g. pnpm example ${names[0]}\n`);
  process.exit(2);
}
const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(examplesDir, `${name}.ts`), ...args], { stdio: 'inherit' });
// Ctrl-C reaches the example too (same process group): let it stop its study, then exit as it does.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
